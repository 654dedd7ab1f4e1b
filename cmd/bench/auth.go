package main

import (
	"context"
	"fmt"
	"time"

	"github.com/dailyfeed/dailyfeed/internal/loadtest"
)

const benchPassword = "Bench-pass1!"

// benchMember is a member signed up for a scenario.
type benchMember struct {
	id           int64
	email, token string
}

// signUpMembers signs up and logs in n fresh members.
func signUpMembers(ctx context.Context, c *client, n int) ([]benchMember, error) {
	run := time.Now().UnixNano()
	members := make([]benchMember, n)
	for i := range n {
		m := &members[i]
		m.email = fmt.Sprintf("bench%d_%d@example.com", run, i)
		signup := map[string]any{
			"email": m.email, "password": benchPassword, "memberName": "Bench User",
			"handle": fmt.Sprintf("b%d_%d", run%1_000_000_000, i), "gender": "OTHER", "countryCode": "KR",
		}
		if _, err := c.do(ctx, "POST", "/api/authentication/signup", "", signup, nil); err != nil {
			return nil, err
		}
		var login struct {
			MemberID    int64  `json:"memberId"`
			AccessToken string `json:"accessToken"`
		}
		if _, err := c.do(ctx, "POST", "/api/authentication/login", "", map[string]string{"email": m.email, "password": benchPassword}, &login); err != nil {
			return nil, err
		}
		m.id, m.token = login.MemberID, login.AccessToken
	}
	return members, nil
}

// authScenario measures login and an authenticated request (get-me)
// through the token middleware, one member per client.
func authScenario(ctx context.Context, c *client, workers int, d time.Duration) ([]loadtest.Result, error) {
	members, err := signUpMembers(ctx, c, workers)
	if err != nil {
		return nil, err
	}
	loginRun := loadtest.Run(ctx, "login (bcrypt)", workers, d, func(ctx context.Context, w, _ int) error {
		_, err := c.do(ctx, "POST", "/api/authentication/login", "", map[string]string{"email": members[w].email, "password": benchPassword}, nil)
		return err
	})
	meRun := loadtest.Run(ctx, "get-me (token middleware)", workers, d, func(ctx context.Context, w, _ int) error {
		_, err := c.do(ctx, "GET", "/api/members", members[w].token, nil, nil)
		return err
	})
	return []loadtest.Result{loginRun, meRun}, nil
}
