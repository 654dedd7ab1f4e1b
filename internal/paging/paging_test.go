package paging

import "testing"

func TestSliceOf(t *testing.T) {
	s := SliceOf(Page{Page: 1, Size: 2}, []int{1, 2, 3})
	if !s.HasNext || len(s.Content) != 2 {
		t.Errorf("%+v", s)
	}
	s = SliceOf[int](Page{Size: 2}, nil).WithTotal(5)
	if s.HasNext || s.Content == nil || *s.TotalPages != 3 {
		t.Errorf("%+v", s)
	}
}
