package auth

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// KeySource fetches the public keys that verify tokens now. The Verifier
// caches what it returns.
type KeySource interface {
	PublicKeys(ctx context.Context, now time.Time) ([]PublicKey, error)
}

// PostgresKeys is the default key source: the signing_keys table.
type PostgresKeys = Keys

// JWKSKeys fetches keys from a JWKS URL (the jwks function's output). The
// set carries no grace deadlines: a key is accepted while it is published,
// and the first key of the set is the primary.
type JWKSKeys struct {
	URL    string
	Client *http.Client
}

// maxJWKS bounds a key set response.
const maxJWKS = 1 << 20

// PublicKeys fetches and parses the key set.
func (j JWKSKeys) PublicKeys(ctx context.Context, _ time.Time) ([]PublicKey, error) {
	client := j.Client
	if client == nil {
		client = &http.Client{Timeout: 5 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, j.URL, nil)
	if err != nil {
		return nil, fmt.Errorf("jwks request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch jwks: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch jwks: status %d", resp.StatusCode)
	}
	// A bare key set (what the jwks function serves), or one inside the
	// API's success envelope.
	var body struct {
		JWKS
		Data *JWKS `json:"data"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxJWKS)).Decode(&body); err != nil {
		return nil, fmt.Errorf("decode jwks: %w", err)
	}
	if body.Data != nil {
		return body.Data.publicKeys()
	}
	return body.JWKS.publicKeys()
}
