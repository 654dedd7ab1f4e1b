package membertest_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	rotatekeys "github.com/dailyfeed/dailyfeed/functions/rotate-keys"
	"github.com/dailyfeed/dailyfeed/internal/member/membertest"
	"github.com/dailyfeed/dailyfeed/internal/stack"
	"github.com/dailyfeed/dailyfeed/internal/testenv"
)

func newClient(t *testing.T) (*membertest.Client, *stack.Stack) {
	t.Helper()
	s := testenv.Stack(t, stack.Postgres|stack.Redis)
	return &membertest.Client{T: t, Handler: handler(s)}, s
}

func wantError(t *testing.T, res membertest.Response, status int, code string) {
	t.Helper()
	if res.Status != status || res.Code != code {
		t.Fatalf("got %d %s, want %d %s: %s", res.Status, res.Code, status, code, res.Body)
	}
}

func wantHeader(t *testing.T, res membertest.Response, name, want string) {
	t.Helper()
	if got := res.Header.Get(name); got != want {
		t.Errorf("header %s = %q, want %q", name, got, want)
	}
}

// payload decodes a JWT's claims without verifying it.
func payload(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", token)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestSignupLoginMeLogout(t *testing.T) {
	t.Parallel()
	c, _ := newClient(t)

	res := c.Do("POST", "/api/authentication/signup", map[string]any{
		"email": "Alice@Example.com", "password": "Secret-pass1!", "memberName": "Alice", "handle": "alice_1",
		"gender": "female", "countryCode": "KR", "bio": "hello", "websiteUrl": "https://alice.example",
		"birthDate": "1990-04-01",
	})
	if res.Status != http.StatusCreated {
		t.Fatalf("signup: %d %s", res.Status, res.Body)
	}
	var created map[string]any
	res.Decode(t, &created)
	for k, want := range map[string]any{
		"memberName": "Alice", "handle": "alice_1", "memberHandle": "alice_1", "gender": "FEMALE",
		"countryCode": "KR", "timezone": "UTC", "languageCode": "en", "privacyLevel": "PUBLIC",
		"bio": "hello", "birthDate": "1990-04-01", "avatarUrl": nil, "followersCount": 0.0,
	} {
		if diff := cmp.Diff(want, created[k]); diff != "" {
			t.Errorf("signup %s (-want +got):\n%s", k, diff)
		}
	}
	if created["id"] != created["memberId"] {
		t.Errorf("id %v != memberId %v", created["id"], created["memberId"])
	}
	if _, ok := created["password"]; ok {
		t.Error("signup answers the password")
	}

	// Login: e-mail case-insensitively; token in header, body and cookie.
	res = c.Do("POST", "/api/authentication/login", map[string]string{"email": "alice@example.com", "password": "Secret-pass1!"})
	if res.Status != http.StatusOK {
		t.Fatalf("login: %d %s", res.Status, res.Body)
	}
	var login struct {
		MemberID    int64  `json:"memberId"`
		Email       string `json:"email"`
		AccessToken string `json:"accessToken"`
	}
	res.Decode(t, &login)
	if got := res.Header.Get("Authorization"); got != "Bearer "+login.AccessToken {
		t.Errorf("Authorization header %q does not carry data.accessToken", got)
	}
	cookie := res.Cookie("refresh_token")
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode || cookie.Path != "/" || cookie.Value == "" {
		t.Fatalf("refresh cookie %+v", cookie)
	}
	claims := payload(t, login.AccessToken)
	if claims["memberId"] != float64(login.MemberID) || claims["sub"] != strconv.FormatInt(login.MemberID, 10) {
		t.Errorf("claims memberId/sub %v %v, member %d", claims["memberId"], claims["sub"], login.MemberID)
	}
	for _, k := range []string{"jti", "iat", "exp", "iss", "aud", "gen"} {
		if _, ok := claims[k]; !ok {
			t.Errorf("claim %s missing", k)
		}
	}

	// get-me answers {id, name}.
	res = c.Do("GET", "/api/members", nil, membertest.Bearer(login.AccessToken))
	if res.Status != http.StatusOK {
		t.Fatalf("get-me: %d %s", res.Status, res.Body)
	}
	var me map[string]any
	res.Decode(t, &me)
	if diff := cmp.Diff(map[string]any{"id": float64(login.MemberID), "name": "Alice"}, me); diff != "" {
		t.Errorf("get-me (-want +got):\n%s", diff)
	}

	// Logout: 200 with a body, cookie cleared; the token is then revoked.
	res = c.Do("POST", "/api/authentication/logout", nil, membertest.Bearer(login.AccessToken), membertest.Cookie(cookie))
	if res.Status != http.StatusOK || string(res.Data) != "true" {
		t.Fatalf("logout: %d %s", res.Status, res.Body)
	}
	if ck := res.Cookie("refresh_token"); ck == nil || ck.MaxAge >= 0 {
		t.Errorf("logout does not clear the cookie: %+v", ck)
	}
	res = c.Do("GET", "/api/members", nil, membertest.Bearer(login.AccessToken))
	wantError(t, res, http.StatusUnauthorized, "TOKEN_REVOKED")
	wantHeader(t, res, "X-Relogin-Required", "true")
	// The logged-out session's refresh token is revoked too.
	res = c.Do("POST", "/api/authentication/refresh", nil, membertest.Cookie(cookie))
	wantError(t, res, http.StatusUnauthorized, "REFRESH_TOKEN_REUSED")

	// No token at all.
	wantError(t, c.Do("GET", "/api/members", nil), http.StatusUnauthorized, "TOKEN_MISSING")
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestLoginFailures(t *testing.T) {
	t.Parallel()
	c, _ := newClient(t)
	m := c.SignUp()
	for name, body := range map[string]map[string]string{
		"wrong password": {"email": m.Email, "password": "Wrong-pass1!"},
		"unknown email":  {"email": "nobody@example.com", "password": membertest.Password},
	} {
		res := c.Do("POST", "/api/authentication/login", body)
		if res.Status != http.StatusUnauthorized || res.Code != "INVALID_CREDENTIALS" {
			t.Errorf("%s: %d %s", name, res.Status, res.Body)
		}
		if res.Cookie("refresh_token") != nil || res.Header.Get("Authorization") != "" {
			t.Errorf("%s: tokens issued", name)
		}
	}
	wantError(t, c.Do("POST", "/api/authentication/login", map[string]string{"email": m.Email}), http.StatusBadRequest, "VALIDATION_FAILED")
	wantError(t, c.Do("POST", "/api/authentication/login", []byte(`{"email":`)), http.StatusBadRequest, "MALFORMED_JSON")
}

func TestSignupBadInput(t *testing.T) {
	t.Parallel()
	c, _ := newClient(t)
	valid := func() map[string]any {
		return map[string]any{
			"email": "bob@example.com", "password": "Secret-pass1!", "memberName": "Bob",
			"handle": "bob_1", "gender": "MALE", "countryCode": "US",
		}
	}
	tests := []struct {
		name   string
		field  string
		value  any
		inMsg  string
		status int
		code   string
	}{
		{"missing email", "email", "", "email", 400, "VALIDATION_FAILED"},
		{"bad email", "email", "not-an-email", "email", 400, "VALIDATION_FAILED"},
		{"long email", "email", strings.Repeat("a", 95) + "@x.com", "email", 400, "VALIDATION_FAILED"},
		{"short password", "password", "Aa1!", "password", 400, "VALIDATION_FAILED"},
		{"long password", "password", "Aa1!" + strings.Repeat("x", 47), "password", 400, "VALIDATION_FAILED"},
		{"password without special", "password", "Secretpass1", "password", 400, "VALIDATION_FAILED"},
		{"password without upper", "password", "secret-pass1", "password", 400, "VALIDATION_FAILED"},
		{"password without digit", "password", "Secret-pass", "password", 400, "VALIDATION_FAILED"},
		{"short name", "memberName", "B", "memberName", 400, "VALIDATION_FAILED"},
		{"long name", "memberName", strings.Repeat("가", 31), "memberName", 400, "VALIDATION_FAILED"},
		{"bad handle", "handle", "bob-1", "handle", 400, "VALIDATION_FAILED"},
		{"short handle", "handle", "bo", "handle", 400, "VALIDATION_FAILED"},
		{"missing gender", "gender", "", "gender", 400, "VALIDATION_FAILED"},
		{"bad gender", "gender", "ROBOT", "gender", 400, "VALIDATION_FAILED"},
		{"missing country", "countryCode", "", "countryCode", 400, "VALIDATION_FAILED"},
		{"bad country", "countryCode", "XX", "countryCode", 400, "VALIDATION_FAILED"},
		{"bad website", "websiteUrl", "javascript:alert(1)", "websiteUrl", 400, "VALIDATION_FAILED"},
		{"future birth date", "birthDate", "2999-01-01", "birthDate", 400, "VALIDATION_FAILED"},
		{"bad timezone", "timezone", "Mars/Olympus", "timezone", 400, "VALIDATION_FAILED"},
		{"long bio", "bio", strings.Repeat("b", 501), "bio", 400, "VALIDATION_FAILED"},
		{"wrong type", "handle", 42, "handle", 400, "VALIDATION_FAILED"},
	}
	for _, tt := range tests {
		body := valid()
		body[tt.field] = tt.value
		res := c.Do("POST", "/api/authentication/signup", body)
		if res.Status != tt.status || res.Code != tt.code || !strings.Contains(res.Message, tt.inMsg) {
			t.Errorf("%s: got %d %s %q, want %d %s naming %s", tt.name, res.Status, res.Code, res.Message, tt.status, tt.code, tt.inMsg)
		}
	}
	wantError(t, c.Do("POST", "/api/authentication/signup", []byte(`{"email": "x"`)), 400, "MALFORMED_JSON")
	wantError(t, c.Do("POST", "/api/authentication/signup", []byte(``)), 400, "MALFORMED_JSON")

	// Nothing was created: the valid request still succeeds, then duplicates
	// (case-insensitively) are 409.
	if res := c.Do("POST", "/api/authentication/signup", valid()); res.Status != http.StatusCreated {
		t.Fatalf("valid signup: %d %s", res.Status, res.Body)
	}
	dup := valid()
	dup["email"], dup["handle"] = "BOB@example.com", "other_handle"
	wantError(t, c.Do("POST", "/api/authentication/signup", dup), http.StatusConflict, "EMAIL_ALREADY_EXISTS")
	dup = valid()
	dup["email"], dup["handle"] = "bob2@example.com", "BOB_1"
	wantError(t, c.Do("POST", "/api/authentication/signup", dup), http.StatusConflict, "HANDLE_ALREADY_EXISTS")
}

func TestRefreshRotationAndReuse(t *testing.T) {
	t.Parallel()
	c, s := newClient(t)
	clock := membertest.NewClock(time.Now())
	s.Now = clock.Now
	m := c.SignUp()

	// Rotation: a new access token and a new refresh cookie.
	res := c.Do("POST", "/api/authentication/refresh", nil, membertest.Cookie(m.Refresh))
	if res.Status != http.StatusOK {
		t.Fatalf("refresh: %d %s", res.Status, res.Body)
	}
	var got struct {
		AccessToken string `json:"accessToken"`
		ExpiresIn   int64  `json:"expiresIn"`
	}
	res.Decode(t, &got)
	r2 := res.Cookie("refresh_token")
	if got.AccessToken == "" || got.AccessToken == m.Token || r2 == nil || r2.Value == m.Refresh.Value {
		t.Fatalf("refresh did not rotate: %s", res.Body)
	}
	if res.Header.Get("Authorization") != "Bearer "+got.AccessToken || got.ExpiresIn != 3600 {
		t.Errorf("refresh header %q, expiresIn %d", res.Header.Get("Authorization"), got.ExpiresIn)
	}
	if res := c.Do("GET", "/api/members", nil, membertest.Bearer(got.AccessToken)); res.Status != http.StatusOK {
		t.Fatalf("new access token: %d %s", res.Status, res.Body)
	}

	// Reuse of the rotated token revokes the family: the new token too.
	res = c.Do("POST", "/api/authentication/refresh", nil, membertest.Cookie(m.Refresh))
	wantError(t, res, http.StatusUnauthorized, "REFRESH_TOKEN_REUSED")
	wantHeader(t, res, "X-Relogin-Required", "true")
	res = c.Do("POST", "/api/token/refresh", nil, membertest.Cookie(r2))
	wantError(t, res, http.StatusUnauthorized, "REFRESH_TOKEN_REUSED")

	// Another session is not affected; the body form works on the other path.
	m2 := c.Login(m)
	res = c.Do("POST", "/api/token/refresh", map[string]string{"refreshToken": m2.Refresh.Value})
	if res.Status != http.StatusOK {
		t.Fatalf("refresh with body: %d %s", res.Status, res.Body)
	}
	r3 := res.Cookie("refresh_token")

	// Unknown, missing and expired tokens.
	res = c.Do("POST", "/api/authentication/refresh", map[string]string{"refreshToken": "forged"})
	wantError(t, res, http.StatusUnauthorized, "REFRESH_TOKEN_INVALID")
	wantHeader(t, res, "X-Relogin-Required", "true")
	wantError(t, c.Do("POST", "/api/authentication/refresh", nil), http.StatusUnauthorized, "REFRESH_TOKEN_INVALID")
	clock.Advance(31 * 24 * time.Hour)
	res = c.Do("POST", "/api/authentication/refresh", nil, membertest.Cookie(r3))
	wantError(t, res, http.StatusUnauthorized, "REFRESH_TOKEN_INVALID")
	wantHeader(t, res, "X-Relogin-Required", "true")
}

func TestLogoutAllRevokesEveryToken(t *testing.T) {
	t.Parallel()
	c, _ := newClient(t)
	a := c.SignUp()
	b := c.Login(a)
	other := c.SignUp()

	if res := c.Do("POST", "/api/authentication/logout-all", nil, membertest.Bearer(a.Token)); res.Status != http.StatusOK {
		t.Fatalf("logout-all: %d %s", res.Status, res.Body)
	}
	for _, tok := range []string{a.Token, b.Token} {
		res := c.Do("GET", "/api/members", nil, membertest.Bearer(tok))
		wantError(t, res, http.StatusUnauthorized, "TOKEN_REVOKED")
		wantHeader(t, res, "X-Relogin-Required", "true")
	}
	wantError(t, c.Do("POST", "/api/authentication/refresh", nil, membertest.Cookie(b.Refresh)), http.StatusUnauthorized, "REFRESH_TOKEN_REUSED")
	// Other members keep their sessions; a new login works.
	if res := c.Do("GET", "/api/members", nil, membertest.Bearer(other.Token)); res.Status != http.StatusOK {
		t.Errorf("other member: %d %s", res.Status, res.Body)
	}
	again := c.Login(a)
	if res := c.Do("GET", "/api/members", nil, membertest.Bearer(again.Token)); res.Status != http.StatusOK {
		t.Errorf("after logout-all, new login: %d %s", res.Status, res.Body)
	}
}

func TestDeactivate(t *testing.T) {
	t.Parallel()
	c, _ := newClient(t)
	m := c.SignUp()
	viewer := c.SignUp()

	res := c.Do("DELETE", "/api/authentication/deactivate", nil, membertest.Bearer(m.Token))
	if res.Status != http.StatusOK {
		t.Fatalf("deactivate: %d %s", res.Status, res.Body)
	}
	wantError(t, c.Do("GET", "/api/members", nil, membertest.Bearer(m.Token)), http.StatusUnauthorized, "TOKEN_REVOKED")
	wantError(t, c.Do("POST", "/api/authentication/login", map[string]string{"email": m.Email, "password": membertest.Password}),
		http.StatusForbidden, "MEMBER_DEACTIVATED")
	wantError(t, c.Do("POST", "/api/authentication/login", map[string]string{"email": m.Email, "password": "Wrong-pass1!"}),
		http.StatusUnauthorized, "INVALID_CREDENTIALS")
	wantError(t, c.Do("POST", "/api/authentication/refresh", nil, membertest.Cookie(m.Refresh)), http.StatusUnauthorized, "REFRESH_TOKEN_REUSED")
	wantError(t, c.Do("GET", "/api/members/profile/@"+m.Handle, nil, membertest.Bearer(viewer.Token)), http.StatusNotFound, "MEMBER_NOT_FOUND")
}

func TestProfiles(t *testing.T) {
	t.Parallel()
	c, s := newClient(t)
	me := c.SignUp()
	other := c.SignUp()
	testenv.Exec(t, s, `UPDATE members SET avatar_image_id = 'img123' WHERE id = $1`, other.ID)
	id := func(n int64) string { return string(mustJSON(t, n)) }

	type profile struct {
		ID, MemberID            int64
		Email                   string
		Handle, MemberHandle    string
		AvatarURL               *string
		FollowingsCount         int64
		DisplayName, WebsiteURL *string
		Bio                     *string
		MemberName              string
	}
	read := func(path string, token string) profile {
		t.Helper()
		res := c.Do("GET", path, nil, membertest.Bearer(token))
		if res.Status != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, res.Status, res.Body)
		}
		var p profile
		res.Decode(t, &p)
		return p
	}
	mine := read("/api/members/profile", me.Token)
	if mine.ID != me.ID || mine.MemberID != me.ID || mine.Email != me.Email || mine.Handle != me.Handle || mine.MemberHandle != me.Handle {
		t.Errorf("my profile %+v", mine)
	}
	for _, path := range []string{
		"/api/members/profile/" + id(other.ID), "/api/members/profile/@" + strings.ToUpper(other.Handle),
		"/api/members/" + id(other.ID) + "/profile",
	} {
		p := read(path, me.Token)
		if p.ID != other.ID || p.Email != "" || p.AvatarURL == nil || *p.AvatarURL != "/api/images/view/img123" {
			t.Errorf("GET %s: %+v", path, p)
		}
	}
	wantError(t, c.Do("GET", "/api/members/profile/999999999", nil, membertest.Bearer(me.Token)), http.StatusNotFound, "MEMBER_NOT_FOUND")
	wantError(t, c.Do("GET", "/api/members/profile/@nobody_here", nil, membertest.Bearer(me.Token)), http.StatusNotFound, "MEMBER_NOT_FOUND")
	wantError(t, c.Do("GET", "/api/members/profile/abc", nil, membertest.Bearer(me.Token)), http.StatusBadRequest, "VALIDATION_FAILED")
	wantError(t, c.Do("GET", "/api/members/profile", nil), http.StatusUnauthorized, "TOKEN_MISSING")

	// Summaries.
	res := c.Do("GET", "/api/members/"+id(other.ID)+"/summary", nil, membertest.Bearer(me.Token))
	var sum map[string]any
	res.Decode(t, &sum)
	if sum["memberId"] != float64(other.ID) || sum["memberHandle"] != other.Handle || sum["avatarUrl"] != "/api/images/view/img123" {
		t.Errorf("summary %v", sum)
	}
	res = c.Do("GET", "/api/members/summary", nil, membertest.Bearer(me.Token))
	res.Decode(t, &sum)
	if sum["id"] != float64(me.ID) {
		t.Errorf("my summary %v", sum)
	}

	// Update: absent fields stay, "" clears, bad input is 400 and changes nothing.
	res = c.Do("PUT", "/api/members/profile", map[string]any{"displayName": "Me!", "websiteUrl": "https://me.example", "bio": "b"}, membertest.Bearer(me.Token))
	if res.Status != http.StatusOK {
		t.Fatalf("update: %d %s", res.Status, res.Body)
	}
	res = c.Do("PUT", "/api/members/profile", map[string]any{"bio": "", "name": "Renamed"}, membertest.Bearer(me.Token))
	var up profile
	res.Decode(t, &up)
	if up.DisplayName == nil || *up.DisplayName != "Me!" || up.Bio != nil || up.MemberName != "Renamed" || up.WebsiteURL == nil {
		t.Errorf("updated %+v", up)
	}
	res = c.Do("PUT", "/api/members/profile", map[string]any{"websiteUrl": "ftp://x", "displayName": "Changed"}, membertest.Bearer(me.Token))
	wantError(t, res, http.StatusBadRequest, "VALIDATION_FAILED")
	if p := read("/api/members/profile", me.Token); *p.DisplayName != "Me!" {
		t.Errorf("a rejected update changed the profile: %+v", p)
	}
	wantError(t, c.Do("PUT", "/api/members/profile", map[string]any{"memberName": "x"}, membertest.Bearer(me.Token)), http.StatusBadRequest, "VALIDATION_FAILED")

	// Handle changes: taken (case-insensitively) is 409; a free one works.
	res = c.Do("PUT", "/api/members/profile/handle", map[string]any{"newHandle": strings.ToUpper(other.Handle)}, membertest.Bearer(me.Token))
	wantError(t, res, http.StatusConflict, "HANDLE_ALREADY_EXISTS")
	wantError(t, c.Do("PUT", "/api/members/profile/handle", map[string]any{"newHandle": "no spaces"}, membertest.Bearer(me.Token)), http.StatusBadRequest, "VALIDATION_FAILED")
	res = c.Do("PUT", "/api/members/profile/handle", map[string]any{"newHandle": "fresh_" + me.Handle}, membertest.Bearer(me.Token))
	if res.Status != http.StatusOK {
		t.Fatalf("change handle: %d %s", res.Status, res.Body)
	}
	if p := read("/api/members/profile/@fresh_"+me.Handle, other.Token); p.ID != me.ID {
		t.Errorf("new handle does not resolve: %+v", p)
	}

	// Query: in the order asked, unknown ids left out, at most 1000.
	res = c.Do("POST", "/api/members/query/in", map[string]any{"ids": []int64{other.ID, 999999999, me.ID, other.ID}}, membertest.Bearer(me.Token))
	var list []map[string]any
	res.Decode(t, &list)
	var ids []float64
	for _, m := range list {
		ids = append(ids, m["memberId"].(float64))
	}
	if diff := cmp.Diff([]float64{float64(other.ID), float64(me.ID)}, ids); diff != "" {
		t.Errorf("query (-want +got):\n%s", diff)
	}
	res = c.Do("POST", "/api/members/query/in", map[string]any{"ids": []int64{}}, membertest.Bearer(me.Token))
	if res.Status != http.StatusOK || string(res.Data) != "[]" {
		t.Errorf("empty query: %d %s", res.Status, res.Body)
	}
	wantError(t, c.Do("POST", "/api/members/query/in", map[string]any{"ids": make([]int64, 1001)}, membertest.Bearer(me.Token)), http.StatusBadRequest, "VALIDATION_FAILED")
}

func TestKeyRotation(t *testing.T) {
	t.Parallel()
	cfg := testenv.Config(t)
	cfg.KeyRotation, cfg.KeyGrace, cfg.AccessTokenTTL = 24*time.Hour, 10*time.Minute, time.Hour
	s := testenv.StackWith(t, cfg, stack.Postgres|stack.Redis)
	clock := membertest.NewClock(time.Now().Truncate(time.Second))
	s.Now = clock.Now
	c := &membertest.Client{T: t, Handler: handler(s)}
	ctx := context.Background()

	jwksKids := func() []string {
		t.Helper()
		res := c.Do("GET", "/.well-known/jwks.json", nil)
		var set struct {
			Keys []struct{ Kid, Kty, Crv, Alg, Use, X string }
		}
		if err := json.Unmarshal(res.Body, &set); err != nil {
			t.Fatalf("jwks %d %s: %v", res.Status, res.Body, err)
		}
		var kids []string
		for _, k := range set.Keys {
			if k.Kty != "OKP" || k.Crv != "Ed25519" || k.Alg != "EdDSA" || k.Use != "sig" || len(k.X) != 43 {
				t.Errorf("jwk %+v", k)
			}
			kids = append(kids, k.Kid)
		}
		return kids
	}
	kid := func(token string) string {
		t.Helper()
		h, _ := base64.RawURLEncoding.DecodeString(strings.Split(token, ".")[0])
		var hdr struct{ Kid, Alg string }
		_ = json.Unmarshal(h, &hdr)
		if hdr.Alg != "EdDSA" {
			t.Errorf("alg %q", hdr.Alg)
		}
		return hdr.Kid
	}

	// A fresh database: the first login creates key A; a rotation run now
	// changes nothing.
	if kids := jwksKids(); len(kids) != 0 {
		t.Fatalf("fresh database publishes %v", kids)
	}
	m := c.SignUp()
	keyA := kid(m.Token)
	if err := rotatekeys.Run(ctx, s); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{keyA}, jwksKids()); diff != "" {
		t.Fatalf("after an early run (-want +got):\n%s", diff)
	}

	// Just before A is due, a token signed by A.
	clock.Advance(23*time.Hour + 30*time.Minute)
	res := c.Do("GET", "/api/members", nil, membertest.Bearer(m.Token))
	wantError(t, res, http.StatusUnauthorized, "TOKEN_EXPIRED")
	wantHeader(t, res, "X-Token-Refresh-Needed", "true")
	old := c.Login(m)

	// A is due: B becomes primary. Two runs make one key.
	clock.Advance(31 * time.Minute)
	for range 2 {
		if err := rotatekeys.Run(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	kids := jwksKids()
	if len(kids) != 2 || kids[1] != keyA {
		t.Fatalf("after rotation jwks = %v, want [B, %s]", kids, keyA)
	}
	fresh := c.Login(m)
	if kid(fresh.Token) != kids[0] {
		t.Errorf("new tokens signed by %s, want the new primary %s", kid(fresh.Token), kids[0])
	}

	// In the grace period the old key's token works, with the refresh header.
	res = c.Do("GET", "/api/members", nil, membertest.Bearer(old.Token))
	if res.Status != http.StatusOK {
		t.Fatalf("old-key token in grace: %d %s", res.Status, res.Body)
	}
	wantHeader(t, res, "X-Token-Refresh-Needed", "true")
	res = c.Do("GET", "/api/members", nil, membertest.Bearer(fresh.Token))
	wantHeader(t, res, "X-Token-Refresh-Needed", "")

	// After the grace period (the token itself still unexpired) it is
	// rejected, and the run retires the key.
	clock.Advance(11 * time.Minute)
	res = c.Do("GET", "/api/members", nil, membertest.Bearer(old.Token))
	wantError(t, res, http.StatusUnauthorized, "UNKNOWN_SIGNING_KEY")
	wantHeader(t, res, "X-Relogin-Required", "true")
	if err := rotatekeys.Run(ctx, s); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(kids[:1], jwksKids()); diff != "" {
		t.Errorf("after retirement (-want +got):\n%s", diff)
	}
	var retired bool
	var seed []byte
	if err := s.DB.QueryRow(ctx, `SELECT retired_at IS NOT NULL, private_key FROM signing_keys WHERE kid = $1`, keyA).Scan(&retired, &seed); err != nil {
		t.Fatal(err)
	}
	if !retired || len(seed) != 0 {
		t.Errorf("key A retired=%v, private key left %d bytes", retired, len(seed))
	}
	if res := c.Do("GET", "/api/members", nil, membertest.Bearer(fresh.Token)); res.Status != http.StatusOK {
		t.Errorf("new-key token: %d %s", res.Status, res.Body)
	}
}

// TestRotateConcurrently runs the rotation from several "replicas" at once
// on a fresh database: exactly one primary results.
func TestRotateConcurrently(t *testing.T) {
	t.Parallel()
	s := testenv.Stack(t, stack.Postgres|stack.Redis)
	ctx := context.Background()
	errs := make(chan error, 8)
	for range 8 {
		go func() { errs <- rotatekeys.Run(ctx, s) }()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	var n int
	if err := s.DB.QueryRow(ctx, `SELECT count(*) FROM signing_keys`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Errorf("%d keys after concurrent runs, want 1", n)
	}
}
