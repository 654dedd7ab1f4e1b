package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// client calls the dailyfeed API and unwraps its envelope.
type client struct {
	base string
	http http.Client
}

var transport = &http.Transport{MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256, IdleConnTimeout: time.Minute}

// do sends a JSON request and decodes the envelope's data into out (if not
// nil). A non-2xx status is an error.
func (c *client) do(ctx context.Context, method, path, token string, body, out any) (http.Header, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	c.http.Transport = transport
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		return resp.Header, fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, raw)
	}
	if out != nil {
		env := struct {
			Data any `json:"data"`
		}{Data: out}
		if err := json.Unmarshal(raw, &env); err != nil {
			return resp.Header, fmt.Errorf("%s %s: decode: %w", method, path, err)
		}
	}
	return resp.Header, nil
}
