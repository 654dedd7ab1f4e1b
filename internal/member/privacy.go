package member

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Privacy levels, what a member's privacy level keeps from a reader (see
// docs/decisions.md, "Privacy levels"):
//
//   - PUBLIC: nothing.
//   - FRIENDS: from anonymous readers and from members who do not follow
//     the member.
//   - PRIVATE: from every reader but the member.
//
// A member hidden from a reader shows only its card (Card): id, name,
// handle, display name and avatar; its posts, the comments on them, its
// follow lists and its activities are left out of every read, and an
// interaction with its posts or their comments answers the same 404 as a
// missing one.
//
// Public is the level that hides nothing (PrivacyLevels has them all).
const Public = "PUBLIC"

// VisibleSQL is the SQL condition that the members row alias shows itself
// to reader, an SQL expression of the reader's id (a parameter such as
// "$1"; 0 is an anonymous reader, who follows no one).
func VisibleSQL(alias, reader string) string {
	return fmt.Sprintf(`(%[1]s.privacy_level = 'PUBLIC' OR %[1]s.id = %[2]s
		OR (%[1]s.privacy_level = 'FRIENDS' AND EXISTS (
			SELECT 1 FROM follows vis WHERE vis.follower_id = %[2]s AND vis.followee_id = %[1]s.id)))`, alias, reader)
}

// Sees reports whether reader (0: anonymous) sees member m beyond its card:
// at once for a PUBLIC member and for oneself, else by VisibleSQL, the
// rule every read applies.
func (s Store) Sees(ctx context.Context, reader int64, m Member) (bool, error) {
	if m.PrivacyLevel == Public || m.ID == reader {
		return true, nil
	}
	var ok bool
	err := s.DB.QueryRow(ctx, `SELECT `+VisibleSQL("m", "$1")+` FROM members m WHERE m.id = $2`, reader, m.ID).Scan(&ok)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, ErrNotFound
	}
	if err != nil {
		return false, fmt.Errorf("select privacy: %w", err)
	}
	return ok, nil
}

// Card is p as a reader from whom the member's privacy level hides it
// sees it: who the member is (id, name, handle, display name, avatar,
// privacy level, dates) and nothing of what it says about itself.
func (p Profile) Card() Profile {
	return Profile{
		ID: p.ID, MemberID: p.MemberID, MemberName: p.MemberName, Handle: p.Handle, MemberHandle: p.MemberHandle,
		DisplayName: p.DisplayName, AvatarURL: p.AvatarURL, PrivacyLevel: p.PrivacyLevel,
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt,
	}
}

// Card is s as a reader from whom the member's privacy level hides it sees
// it: no bio, no counts.
func (s Summary) Card() Summary {
	s.Bio, s.FollowersCount, s.FollowingCount = nil, 0, 0
	return s
}
