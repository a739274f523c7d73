package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/amanat-ledger/amanat/httpapi"
)

// selfSigned writes a new self-signed ECDSA certificate for 127.0.0.1 and
// its key as PEM files in dir, and returns their paths and a pool that
// trusts the certificate.
func selfSigned(t *testing.T, dir, name string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, name+".crt"), filepath.Join(dir, name+".key")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// TestServeRefusesBadTLSFlags: one flag alone, a file that cannot be read,
// or a key that is not the certificate's stops serve before it opens a
// store or takes a port.
func TestServeRefusesBadTLSFlags(t *testing.T) {
	dir := t.TempDir()
	cert, key, _ := selfSigned(t, dir, "one")
	_, otherKey, _ := selfSigned(t, dir, "other")
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"certificate alone", []string{"--tls-cert", cert}, "--tls-cert and --tls-key go together"},
		{"key alone", []string{"--tls-key", key}, "--tls-cert and --tls-key go together"},
		{"missing certificate", []string{"--tls-cert", filepath.Join(dir, "none.crt"), "--tls-key", key}, "no such file"},
		{"unreadable key", []string{"--tls-cert", cert, "--tls-key", dir}, "--tls-key " + dir},
		{"not PEM", []string{"--tls-cert", notPEM, "--tls-key", key}, "--tls-cert " + notPEM},
		{"key of another certificate", []string{"--tls-cert", cert, "--tls-key", otherKey}, "does not match"},
	} {
		t.Run(c.name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "tls.db")
			cmd := newServeCmd()
			var out bytes.Buffer
			cmd.SetOut(&out)
			cmd.SetErr(&out)
			// A port that is surely taken would also fail, later: listen on
			// one that is free, and check nothing was created.
			cmd.SetArgs(append([]string{"--db", db, "--addr", "127.0.0.1:0"}, c.args...))
			cmd.SilenceUsage, cmd.SilenceErrors = true, true
			err := cmd.Execute()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("serve %v: %v, want an error with %q\n%s", c.args, err, c.want, out.String())
			}
			if _, err := os.Stat(db); !os.IsNotExist(err) {
				t.Errorf("a refused serve created the store: %v", err)
			}
			if strings.Contains(out.String(), "amanat serving") {
				t.Errorf("a refused serve listened:\n%s", out.String())
			}
		})
	}
}

// TestTLSConfigRefusesOldVersions: net/http's own floor for servers is
// TLS 1.2 today, but it is a default that GODEBUG can lower; the
// configuration says so itself.
func TestTLSConfigRefusesOldVersions(t *testing.T) {
	cert, key, _ := selfSigned(t, t.TempDir(), "amanat")
	cfg, err := tlsConfig(serveTLS{cert: cert, key: key})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MinVersion != tls.VersionTLS12 || len(cfg.Certificates) != 1 {
		t.Errorf("MinVersion %#x with %d certificates, want TLS 1.2 (%#x) and one", cfg.MinVersion, len(cfg.Certificates), tls.VersionTLS12)
	}
	if cfg, err := tlsConfig(serveTLS{}); cfg != nil || err != nil {
		t.Errorf("no flags: %v, %v; want plain HTTP", cfg, err)
	}
}

// TestServeTLS runs `amanat serve --demo --tls-cert --tls-key` as a child:
// the demo's export line names https://, a client that trusts the
// certificate gets 200 on /healthz with HSTS, one that offers only TLS 1.1
// and plain HTTP are refused.
func TestServeTLS(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a server process")
	}
	dir := t.TempDir()
	cert, key, pool := selfSigned(t, dir, "amanat")
	srv := startServe(t, "https", "--db", filepath.Join(dir, "tls.db"), "--addr", "127.0.0.1:0",
		"--demo", "--tls-cert", cert, "--tls-key", key)
	cmd, addr, export := srv.cmd, srv.addr, ""
	for _, line := range srv.before {
		if v, ok := strings.CutPrefix(line, "export AMANAT="); ok {
			export = v
		}
	}
	if export != "https://"+addr {
		t.Errorf("the demo printed export AMANAT=%s, want https://%s", export, addr)
	}

	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	res, err := client.Get("https://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get("Strict-Transport-Security") != httpapi.HSTSHeader {
		t.Errorf("GET /healthz over TLS: %d, Strict-Transport-Security %q", res.StatusCode, res.Header.Get("Strict-Transport-Security"))
	}
	if res.TLS == nil || res.TLS.Version < tls.VersionTLS12 {
		t.Errorf("TLS state %+v, want 1.2 or later", res.TLS)
	}

	old := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{
		RootCAs: pool, MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11}}}
	if res, err := old.Get("https://" + addr + "/healthz"); err == nil {
		res.Body.Close()
		t.Errorf("a TLS 1.1 client was answered %d", res.StatusCode)
	}

	plain := &http.Client{Timeout: 10 * time.Second}
	if res, err := plain.Get("http://" + addr + "/healthz"); err == nil {
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		// net/http answers a plain request on a TLS port 400 and closes.
		if res.StatusCode != http.StatusBadRequest || strings.Contains(string(body), `"ok"`) {
			t.Errorf("plain HTTP to the TLS port: %d %s", res.StatusCode, body)
		}
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("serve after SIGTERM: %v", err)
	}
}

// TestServeRefusesAShortSessionIdle: a console session that ends before
// anyone could use it is a typo, refused before the store is made.
func TestServeRefusesAShortSessionIdle(t *testing.T) {
	for _, v := range []string{"0s", "500ms", "-1m"} {
		db := filepath.Join(t.TempDir(), "idle.db")
		cmd := newServeCmd()
		var out bytes.Buffer
		cmd.SetOut(&out)
		cmd.SetErr(&out)
		cmd.SetArgs([]string{"--db", db, "--addr", "127.0.0.1:0", "--session-idle", v})
		cmd.SilenceUsage, cmd.SilenceErrors = true, true
		if err := cmd.Execute(); err == nil || !strings.Contains(err.Error(), "--session-idle") {
			t.Fatalf("serve --session-idle %s: %v", v, err)
		}
		if _, err := os.Stat(db); !os.IsNotExist(err) {
			t.Errorf("a refused serve created the store: %v", err)
		}
	}
}
