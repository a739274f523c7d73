package text

import (
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	twelve := mnemonic(t, 128)
	tests := []struct {
		name string
		v    string
		max  int
		form Form
		want string // a word of the reason, or "" for accepted
	}{
		{"an Urdu name", "محمد علی", 200, Line, ""},
		{"a Vietnamese name", "Trần Văn Minh", 200, Line, ""},
		{"a Chinese name", "王伟", 200, Line, ""},
		{"empty is the caller's rule", "", 10, Line, ""},
		{"exactly the limit in bytes", strings.Repeat("a", 10), 10, Line, ""},
		{"one byte past the limit", strings.Repeat("a", 11), 10, Line, "longer than 10 bytes"},
		{"a two-byte letter counts two bytes", strings.Repeat("é", 6), 11, Line, "longer than 11 bytes"},
		{"bytes ff fe are not text", "\xff\xfe", 200, Line, "not valid UTF-8"},
		{"a lone continuation byte", "FIR \x80 12", 200, Line, "not valid UTF-8"},
		{"a replacement character left by a decoder", "FIR \ufffd 12", 200, Line, "U+FFFD"},
		{"NUL in a name", "Ali\x00", 200, Line, "U+0000"},
		{"a tab in a one-line field", "Ali\tKhan", 200, Line, "U+0009"},
		{"a line break in a one-line field", "Ali\nKhan", 200, Line, "U+000A"},
		{"DEL", "Ali\x7f", 200, Line, "U+007F"},
		{"a C1 control", "Ali\u0085", 200, Block, "U+0085"},
		{"line breaks and tabs in remarks", "first line\r\nsecond\tline", 4000, Block, ""},
		{"a bell in remarks", "ding\a", 4000, Block, "U+0007"},
		{"a seed phrase in remarks", "written on a card: " + twelve, 4000, Block, "seed phrase"},
		{"a WIF key in a reference", "KwdMAjGmerYanjeui5SHS7JkmpZvVipYvB2LJGU1ZxJwYvP98617", 200, Line, "WIF"},
		{"a transaction id is public", "f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16", 200, Line, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Check(tc.v, tc.max, tc.form)
			if tc.want == "" && got != "" || tc.want != "" && !strings.Contains(got, tc.want) {
				t.Fatalf("Check(%q) = %q, want %q", tc.v, got, tc.want)
			}
		})
	}
}

func TestCheckSeal(t *testing.T) {
	tests := []struct {
		seal string
		ok   bool
	}{
		{"ISB-112-001", true},
		{"LHR/2025/07#3", true},
		{"a", true},
		{strings.Repeat("A", 64), true},
		{strings.Repeat("A", 65), false},
		{"", false},
		{"-ISB", false},
		{"ISB 001", false},
		{"ISB-001 ", false},
		{"ISB\t001", false},
		{"ISB\x00001", false},
		{"ISB-٠٠١", false},
	}
	for _, tc := range tests {
		if got := CheckSeal(tc.seal) == ""; got != tc.ok {
			t.Errorf("CheckSeal(%q) accepted = %v, want %v", tc.seal, got, tc.ok)
		}
	}
	if SealKey("isb-001") != SealKey("ISB-001") {
		t.Error("seal keys differ by case")
	}
}
