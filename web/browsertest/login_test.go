package browsertest

import (
	"net/http"
	"strings"
	"testing"
)

func TestLoginPage(t *testing.T) {
	tb := newTab(t)
	if st := tb.open("/"); st != http.StatusOK || !strings.HasPrefix(tb.path(), "/login") {
		t.Fatalf("the dashboard without a session: %d at %s, want the login page", st, tb.path())
	}
	if !tb.has("label[for=username]") || !tb.has("label[for=password]") {
		t.Error("the login fields have no labels")
	}
	screenshot(t, "login")
	axe(t)
	if text := pdfText(t, printPDF(t)); !strings.Contains(text, "Sign in") {
		t.Errorf("the printed login page does not read \"Sign in\": %q", text)
	}
}

func TestWrongPasswordSaysSoOnce(t *testing.T) {
	tb := newTab(t)
	tb.signIn("hq-auditor", "not-the-password")
	if !strings.HasPrefix(tb.path(), "/login") {
		t.Fatalf("a wrong password signed in: at %s", tb.path())
	}
	msg := tb.text(".problem")
	if !strings.Contains(msg, "user name or password is not right") {
		t.Errorf("refusal reads %q", msg)
	}
	screenshot(t, "wrong-password")
	axe(t)
	tb.signIn("no-such-user", "not-the-password")
	if other := tb.text(".problem"); other != msg {
		t.Errorf("an unknown user reads %q, a wrong password %q", other, msg)
	}
}
