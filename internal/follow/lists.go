package follow

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/dailyfeed/dailyfeed/internal/member"
	"github.com/dailyfeed/dailyfeed/internal/paging"
	"github.com/dailyfeed/dailyfeed/internal/postgres"
)

// Lists is the read side of the follow graph: followers and followings
// pages, and recommendations. Lists show active members only, and so do
// their totals: they are counted, not the members' followers and following
// counts, which still include deactivated members (deactivation keeps the
// follow rows). A member whose privacy level hides it from the reader has
// empty lists, and shows as a card in the lists of others.
type Lists struct {
	DB postgres.DB
}

// Both is list-follows' followers-followings answer.
type Both struct {
	Followers  paging.Slice[member.Summary] `json:"followers"`
	Followings paging.Slice[member.Summary] `json:"followings"`
}

// summaryColumns select a member.Summary from members m and whether m
// shows itself to the reader $1.
var summaryColumns = `m.id, m.member_name, m.handle, m.display_name, m.bio, ` + member.AvatarSQL +
	`, m.followers_count, m.following_count, ` + member.VisibleSQL("m", "$1")

func querySummaries(ctx context.Context, db postgres.DB, sql string, args ...any) ([]member.Summary, error) {
	rows, err := db.Query(ctx, sql, args...)
	if err != nil {
		return nil, fmt.Errorf("select members: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (member.Summary, error) {
		var s member.Summary
		var avatar *string
		var visible bool
		err := r.Scan(&s.ID, &s.MemberName, &s.Handle, &s.DisplayName, &s.Bio, &avatar, &s.FollowersCount, &s.FollowingCount, &visible)
		s.MemberID, s.MemberHandle, s.AvatarURL = s.ID, s.Handle, avatar
		if !visible {
			s = s.Card()
		}
		return s, err
	})
	if err != nil {
		return nil, fmt.Errorf("select members: %w", err)
	}
	return out, nil
}

// Side is one side of a member's follow graph.
type Side int

const (
	Followers  Side = iota // who follows the member
	Followings             // whom the member follows
)

// sideSQL selects a page of one side: $1 the reader, $2 the member, $3
// limit, $4 offset.
var sideSQL = [...]string{
	Followers: `SELECT ` + summaryColumns + ` FROM follows f JOIN members m ON m.id = f.follower_id
		WHERE f.followee_id = $2 AND m.status = 'ACTIVE'
		ORDER BY f.created_at DESC, f.follower_id DESC LIMIT $3 OFFSET $4`,
	Followings: `SELECT ` + summaryColumns + ` FROM follows f JOIN members m ON m.id = f.followee_id
		WHERE f.follower_id = $2 AND m.status = 'ACTIVE'
		ORDER BY f.created_at DESC, f.followee_id DESC LIMIT $3 OFFSET $4`,
}

// countSQL counts the active members on one side of member m's graph.
var countSQL = [...]string{
	Followers: `SELECT count(*) FROM follows f JOIN members o ON o.id = f.follower_id
		WHERE f.followee_id = m.id AND o.status = 'ACTIVE'`,
	Followings: `SELECT count(*) FROM follows f JOIN members o ON o.id = f.followee_id
		WHERE f.follower_id = m.id AND o.status = 'ACTIVE'`,
}

// totals returns, for the active member id, the number of active members
// on each of sides (one query), and whether the member shows its lists to
// reader. An unknown member is 404.
func (l Lists) totals(ctx context.Context, reader, id int64, sides ...Side) ([]int64, bool, error) {
	cols := make([]string, len(sides))
	out := make([]int64, len(sides))
	var visible bool
	dest := []any{&visible}
	for i, side := range sides {
		cols[i] = "(" + countSQL[side] + ")"
		dest = append(dest, &out[i])
	}
	err := l.DB.QueryRow(ctx, `SELECT `+member.VisibleSQL("m", "$2")+`, `+strings.Join(cols, ", ")+`
		FROM members m WHERE m.id = $1 AND m.status = 'ACTIVE'`, id, reader).Scan(dest...)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, ErrMemberNotFound
	}
	if err != nil {
		return nil, false, fmt.Errorf("count follows: %w", err)
	}
	return out, visible, nil
}

// Page returns one side of member id's follow graph as reader sees it,
// newest follow first, with its total. An unknown member is 404.
func (l Lists) Page(ctx context.Context, reader, id int64, side Side, p paging.Page) (paging.Slice[member.Summary], error) {
	total, visible, err := l.totals(ctx, reader, id, side)
	if err != nil || !visible {
		return hiddenPage(p), err
	}
	return l.page(ctx, reader, id, side, p, total[0])
}

// hiddenPage is page p of a list that the member's privacy level hides.
func hiddenPage(p paging.Page) paging.Slice[member.Summary] {
	return paging.SliceOf(p, []member.Summary{}).WithTotal(0)
}

func (l Lists) page(ctx context.Context, reader, id int64, side Side, p paging.Page, total int64) (paging.Slice[member.Summary], error) {
	rows, err := querySummaries(ctx, l.DB, sideSQL[side], reader, id, p.Size+1, p.Offset())
	if err != nil {
		return paging.Slice[member.Summary]{}, err
	}
	return paging.SliceOf(p, rows).WithTotal(total), nil
}

// Both returns the first pages (p) of both sides of member id's graph as
// reader sees them.
func (l Lists) Both(ctx context.Context, reader, id int64, p paging.Page) (Both, error) {
	total, visible, err := l.totals(ctx, reader, id, Followers, Followings)
	if err != nil {
		return Both{}, err
	}
	if !visible {
		return Both{Followers: hiddenPage(p), Followings: hiddenPage(p)}, nil
	}
	var b Both
	if b.Followers, err = l.page(ctx, reader, id, Followers, p, total[0]); err != nil {
		return Both{}, err
	}
	if b.Followings, err = l.page(ctx, reader, id, Followings, p, total[1]); err != nil {
		return Both{}, err
	}
	return b, nil
}

// Recommend returns active members that member does not follow, newest
// first, member excluded (cards of those whose privacy level hides them).
func (l Lists) Recommend(ctx context.Context, id int64, p paging.Page) (paging.Slice[member.Summary], error) {
	rows, err := querySummaries(ctx, l.DB, `
		SELECT `+summaryColumns+` FROM members m
		WHERE m.status = 'ACTIVE' AND m.id <> $1
		  AND NOT EXISTS (SELECT 1 FROM follows f WHERE f.follower_id = $1 AND f.followee_id = m.id)
		ORDER BY m.created_at DESC, m.id DESC LIMIT $2 OFFSET $3`, id, p.Size+1, p.Offset())
	if err != nil {
		return paging.Slice[member.Summary]{}, err
	}
	return paging.SliceOf(p, rows), nil
}
