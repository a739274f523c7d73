package main

import (
	"bytes"
	"errors"
	"testing"
)

func TestAddressValidateCommand(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		out    string
		exit   int // 0: no error; 1: exitError 1 or another error
		errSub string
	}{
		{"all valid, bitcoin mainnet by default",
			[]string{"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"},
			"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4\tvalid\tp2wpkh\n1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2\tvalid\tp2pkh\n", 0, ""},
		{"one invalid makes exit 1 and every line is printed",
			[]string{"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"},
			"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5\tinvalid\t", 1, ""},
		{"testnet", []string{"--network", "testnet", "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx"},
			"tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx\tvalid\tp2wpkh\n", 0, ""},
		{"tron", []string{"--chain", "tron", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"}, "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t\tvalid\taddress\n", 0, ""},
		{"an unknown chain prints nothing and fails", []string{"--chain", "doge", "D1"}, "", 1, "unknown chain"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			rootCmd.SetOut(&out)
			rootCmd.SetArgs(append([]string{"address", "validate"}, tc.args...))
			// Flags keep their values between Execute calls: reset them.
			addressValidateCmd.Flags().Set("chain", "bitcoin")
			addressValidateCmd.Flags().Set("network", "mainnet")
			err := rootCmd.Execute()
			var ee exitError
			switch {
			case tc.exit == 0 && err != nil:
				t.Fatalf("error %v", err)
			case tc.exit == 1 && tc.errSub == "" && (!errors.As(err, &ee) || ee.code != 1):
				t.Fatalf("want exit 1, got %v", err)
			case tc.errSub != "" && (err == nil || !bytes.Contains([]byte(err.Error()), []byte(tc.errSub))):
				t.Fatalf("want an error saying %q, got %v", tc.errSub, err)
			}
			if !bytes.HasPrefix(out.Bytes(), []byte(tc.out)) || tc.exit == 0 && out.String() != tc.out {
				t.Fatalf("output %q, want %q", out.String(), tc.out)
			}
		})
	}
}
