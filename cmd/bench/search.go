package main

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/dailyfeed/dailyfeed/internal/loadtest"
)

func init() { scenarioByName["search"] = searchScenario }

// searchPosts are written by the search scenario (through create-post, so
// they are searchable as soon as it returns), on top of whatever dataset is
// there (cmd/seed's posts all say "the quick brown fox").
var searchPosts = []string{
	"오늘 한국어 공부를 했어요. 조사가 붙어도 찾을 수 있어야 해요",
	"주말에 친구와 서울에서 커피를 마셨다",
	"한국어공부 일지: 매일 단어 스무 개",
	"Learning golang on a rainy weekend",
	"Search engines rank whole words above substrings",
	"커피 한 잔과 golang 코드 리뷰",
}

// searchScenario writes a few hundred Korean and English posts as one new
// member, then measures search-posts (first page) by kind of keyword over
// cmd/seed's dataset (every post says "bench"; each word of its vocabulary,
// 공부를, 한국어, 밥을, fox among them, is in about a fifth of the posts),
// and golang, which only the scenario's posts have.
func searchScenario(ctx context.Context, c *client, workers int, d time.Duration) ([]loadtest.Result, error) {
	members, err := signUpMembers(ctx, c, 1)
	if err != nil {
		return nil, err
	}
	token := members[0].token
	for i := range 300 {
		body := map[string]string{"content": fmt.Sprintf("%s #%d", searchPosts[i%len(searchPosts)], i)}
		if _, err := c.do(ctx, "POST", "/api/posts", token, body, nil); err != nil {
			return nil, err
		}
	}
	var results []loadtest.Result
	for _, kw := range []struct{ name, keyword string }{
		{"search-posts 공부 (2 chars, common)", "공부"},
		{"search-posts 한국어 (3 chars, common)", "한국어"},
		{"search-posts fox (common)", "fox"},
		{"search-posts bench (every seed post)", "bench"},
		{"search-posts golang (rare)", "golang"},
		{"search-posts 커피 golang (two words)", "커피 golang"},
		{"search-posts no match", "없는단어xyz"},
		{"search-posts 밥 (1 char, common)", "밥"},
	} {
		path := "/api/search/posts?" + url.Values{"keyword": {kw.keyword}, "size": {"20"}}.Encode()
		results = append(results, loadtest.Run(ctx, kw.name, workers, d, func(ctx context.Context, _, _ int) error {
			_, err := c.do(ctx, "GET", path, token, nil, nil)
			return err
		}))
	}
	return results, nil
}
