package main

import (
	"context"
	"fmt"
	"time"

	"github.com/dailyfeed/dailyfeed/internal/loadtest"
)

const benchPassword = "Bench-pass1!"

// authScenario signs up one member per client, then measures login and an
// authenticated request (get-me) through the token middleware.
func authScenario(ctx context.Context, c *client, workers int, d time.Duration) ([]loadtest.Result, error) {
	run := time.Now().UnixNano()
	emails := make([]string, workers)
	tokens := make([]string, workers)
	for i := range workers {
		emails[i] = fmt.Sprintf("bench%d_%d@example.com", run, i)
		signup := map[string]any{
			"email": emails[i], "password": benchPassword, "memberName": "Bench User",
			"handle": fmt.Sprintf("b%d_%d", run%1_000_000_000, i), "gender": "OTHER", "countryCode": "KR",
		}
		if _, err := c.do(ctx, "POST", "/api/authentication/signup", "", signup, nil); err != nil {
			return nil, err
		}
		var login struct {
			AccessToken string `json:"accessToken"`
		}
		if _, err := c.do(ctx, "POST", "/api/authentication/login", "", map[string]string{"email": emails[i], "password": benchPassword}, &login); err != nil {
			return nil, err
		}
		tokens[i] = login.AccessToken
	}
	loginRun := loadtest.Run(ctx, "login (bcrypt)", workers, d, func(ctx context.Context, w, _ int) error {
		_, err := c.do(ctx, "POST", "/api/authentication/login", "", map[string]string{"email": emails[w], "password": benchPassword}, nil)
		return err
	})
	meRun := loadtest.Run(ctx, "get-me (token middleware)", workers, d, func(ctx context.Context, w, _ int) error {
		_, err := c.do(ctx, "GET", "/api/members", tokens[w], nil, nil)
		return err
	})
	return []loadtest.Result{loginRun, meRun}, nil
}
