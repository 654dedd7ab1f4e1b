package config

import (
	"testing"
	"time"
)

func TestDefaultsAreLoopback(t *testing.T) {
	c, err := Load(map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	if c.RedisAddr != "127.0.0.1:6379" || c.KafkaBrokers[0] != "127.0.0.1:9092" || c.S3Endpoint != "http://127.0.0.1:9000" {
		t.Errorf("defaults: %+v", c)
	}
	if c.AccessTokenTTL != time.Hour || c.RefreshTTL != 30*24*time.Hour || c.TopicTimeZone.String() != "Asia/Seoul" {
		t.Errorf("defaults: %+v", c)
	}
}

func TestOverridesAndErrors(t *testing.T) {
	c, err := Load(map[string]string{"KAFKA_BROKERS": "a:1,b:2", "JWT_ACCESS_TTL": "15m", "TOPIC_TIMEZONE": "UTC"})
	if err != nil || len(c.KafkaBrokers) != 2 || c.AccessTokenTTL != 15*time.Minute || c.TopicTimeZone != time.UTC {
		t.Errorf("%+v, %v", c, err)
	}
	for _, bad := range []map[string]string{
		{"JWT_ACCESS_TTL": "soon"},
		{"REDIS_DB": "one"},
		{"TOPIC_TIMEZONE": "Mars/Olympus"},
		{"KAFKA_ACKS": "2"},
		{"COOKIE_SECURE": "maybe"},
	} {
		if _, err := Load(bad); err == nil {
			t.Errorf("Load(%v) succeeded", bad)
		}
	}
}
