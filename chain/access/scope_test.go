package access

import "testing"

func TestCirclesScope(t *testing.T) {
	s, err := CirclesScope("lahore", "karachi", "lahore")
	if err != nil {
		t.Fatal(err)
	}
	if s.All || s.String() != "karachi,lahore" {
		t.Fatalf("scope = %+v, want karachi and lahore once each", s)
	}
	if !s.Allows("lahore") || s.Allows("islamabad") {
		t.Fatalf("scope %v allows the wrong circles", s)
	}
	all, err := CirclesScope()
	if err != nil || !all.All || !all.Allows("anywhere") {
		t.Fatalf("no circle should mean every circle, got %+v, %v", all, err)
	}
	if _, err := CirclesScope("Lahore"); err == nil {
		t.Fatal("an upper-case circle name was accepted")
	}
	if (Scope{}).Allows("lahore") {
		t.Fatal("the empty scope allows a circle")
	}
}
