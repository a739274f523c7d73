package access

import (
	"regexp"
	"strings"
	"testing"
)

func TestPasswordHashIsArgon2idPHC(t *testing.T) {
	const pw = "correct horse battery"
	h, err := HashPassword(pw, DefaultPasswordParams)
	if err != nil {
		t.Fatal(err)
	}
	phc := regexp.MustCompile(`^\$argon2id\$v=19\$m=65536,t=1,p=2\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`)
	if !phc.MatchString(h) {
		t.Fatalf("hash %q is not the documented PHC string", h)
	}
	if strings.Contains(h, pw) {
		t.Fatal("the hash holds the password")
	}
	if ok, err := VerifyPassword(h, pw); !ok || err != nil {
		t.Fatalf("the right password: %v, %v", ok, err)
	}
	if ok, err := VerifyPassword(h, pw+"!"); ok || err != nil {
		t.Fatalf("a wrong password: %v, %v", ok, err)
	}
	h2, _ := HashPassword(pw, DefaultPasswordParams)
	if h2 == h {
		t.Fatal("two hashes of one password share a salt")
	}
}

func TestVerifyPasswordRefusesDamagedHashes(t *testing.T) {
	good, err := HashPassword("a long enough password", fastPasswords)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, "$")
	for name, phc := range map[string]string{
		"empty":           "",
		"another scheme":  strings.Replace(good, "argon2id", "argon2i", 1),
		"another version": strings.Replace(good, "v=19", "v=16", 1),
		"huge memory":     strings.Replace(good, "m=64,", "m=99999999,", 1),
		"zero passes":     strings.Replace(good, "t=1,", "t=0,", 1),
		"too many passes": strings.Replace(good, "t=1,", "t=17,", 1),
		"no lanes":        strings.Replace(good, "p=1", "p=0", 1),
		"bad salt":        strings.Join(append(parts[:4:4], "!!", parts[5]), "$"),
		"short key":       strings.Join(append(parts[:5:5], "AAAA"), "$"),
		"extra field":     good + "$x",
	} {
		if ok, err := VerifyPassword(phc, "a long enough password"); ok || err == nil {
			t.Errorf("%s: verified %v, err %v", name, ok, err)
		}
	}
}

func TestCheckPassword(t *testing.T) {
	for _, tc := range []struct {
		name, pw, want string
	}{
		{"twelve characters", "abcdefghijkl", ""},
		{"an Urdu passphrase counts characters, not bytes", "میرا پاس ورڈ ہے", ""},
		{"eleven characters", "abcdefghijk", "at least 12"},
		{"twelve bytes but six characters", "میراپا", "at least 12"},
		{"a control character", "abcdefghijkl\x00", "control character"},
		{"longer than the limit", strings.Repeat("a", MaxPasswordBytes+1), "longer than"},
		{"a wallet key", "5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ", "looks like"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := CheckPassword(tc.pw)
			if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
				t.Fatalf("CheckPassword = %q, want %q", got, tc.want)
			}
			if tc.pw != "" && len(tc.pw) > 3 && strings.Contains(got, tc.pw) {
				t.Fatal("the reason quotes the password")
			}
		})
	}
}
