package auth

import (
	"errors"
	"fmt"
	"sync"

	"golang.org/x/crypto/bcrypt"
)

// BcryptCost is the bcrypt work factor of password hashes (about 50 ms per
// hash on one core; `make bench` measures login throughput with it).
const BcryptCost = 10

// HashPassword returns the bcrypt hash of password.
func HashPassword(password string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(password), BcryptCost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

// dummyHash is compared against when the e-mail is unknown, so an unknown
// e-mail and a wrong password take the same time.
var dummyHash = sync.OnceValue(func() []byte {
	h, err := bcrypt.GenerateFromPassword([]byte("dailyfeed-dummy-password"), BcryptCost)
	if err != nil {
		panic(err)
	}
	return h
})

// checkPassword reports whether password matches hash; an empty hash is
// compared against a dummy hash and never matches.
func checkPassword(hash, password string) (bool, error) {
	if hash == "" {
		_ = bcrypt.CompareHashAndPassword(dummyHash(), []byte(password))
		return false, nil
	}
	err := bcrypt.CompareHashAndPassword([]byte(hash), []byte(password))
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, bcrypt.ErrMismatchedHashAndPassword), errors.Is(err, bcrypt.ErrPasswordTooLong):
		return false, nil
	default:
		return false, fmt.Errorf("compare password: %w", err)
	}
}
