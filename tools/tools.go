//go:build tools

// Package tools keeps modules required that no regular build imports yet.
// func-go is imported by the scaffolding that func's host builder writes
// around each function, so `go mod tidy` must never drop it.
package tools

import (
	_ "github.com/IBM/sarama"
	_ "github.com/cloudevents/sdk-go/protocol/kafka_sarama/v2"
	_ "github.com/cloudevents/sdk-go/v2"
	_ "github.com/golang-jwt/jwt/v5"
	_ "github.com/google/go-cmp/cmp"
	_ "github.com/google/uuid"
	_ "github.com/sethvargo/go-retry"
	_ "github.com/sony/gobreaker/v2"
	_ "github.com/twmb/franz-go/pkg/kfake"
	_ "golang.org/x/crypto/bcrypt"
	_ "golang.org/x/image/webp"
	_ "golang.org/x/time/rate"
	_ "knative.dev/func-go/cloudevents"
	_ "knative.dev/func-go/http"
)
