package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/amanat-ledger/amanat/chain/access"
	"github.com/amanat-ledger/amanat/ledger"
)

// userFlags are the flags of the user commands.
type userFlags struct {
	db, name, display string
	roles, circles    []string
	passwordStdin     bool
	ttl               time.Duration
}

func init() {
	var f userFlags
	userCmd := &cobra.Command{Use: "user", Short: "Manage user accounts"}
	create := &cobra.Command{
		Use:   "create --db FILE --name LOGIN --role ROLE [--role ROLE]... [--circle CIRCLE]... [--display NAME] [--password-stdin] [--ttl D]",
		Short: "Make a user and print a new API token of theirs on the last line",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return userCreate(cmd, f) },
	}
	create.Flags().StringVar(&f.db, "db", "", "store file")
	create.Flags().StringVar(&f.name, "name", "", "the user's login: 1 to 64 letters, digits, '_', '.', '@' or '-'")
	create.Flags().StringArrayVar(&f.roles, "role", nil, "a role of the user (repeat for more): "+strings.Join(access.Roles, ", "))
	create.Flags().StringArrayVar(&f.circles, "circle", nil, "a circle the user may see (repeat for more; none: every circle)")
	create.Flags().StringVar(&f.display, "display", "", "the user's name as shown, in any script")
	create.Flags().BoolVar(&f.passwordStdin, "password-stdin", false, "read the user's console password from standard input (one line)")
	create.Flags().DurationVar(&f.ttl, "ttl", access.DefaultTokenTTL, "how long the printed token lives")
	list := &cobra.Command{
		Use:   "list --db FILE",
		Short: "List the users (never a password)",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return userList(cmd, f.db) },
	}
	list.Flags().StringVar(&f.db, "db", "", "store file")
	disable := &cobra.Command{
		Use:   "disable --db FILE --name LOGIN",
		Short: "Disable a user: their password, sessions and tokens stop working at once",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return userDisable(cmd, f.db, f.name) },
	}
	passwd := &cobra.Command{
		Use:   "passwd --db FILE --name LOGIN",
		Short: "Set a user's console password, read from standard input (one line)",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return userPasswd(cmd, f.db, f.name) },
	}
	for _, c := range []*cobra.Command{disable, passwd} {
		c.Flags().StringVar(&f.db, "db", "", "store file")
		c.Flags().StringVar(&f.name, "name", "", "the user's login")
	}
	for _, c := range []*cobra.Command{create, list, disable, passwd} {
		for _, name := range []string{"db", "name", "role"} {
			if c.Flags().Lookup(name) != nil {
				_ = c.MarkFlagRequired(name) // only fails for a flag that does not exist
			}
		}
		userCmd.AddCommand(c)
	}
	rootCmd.AddCommand(userCmd)
}

// readPassword reads one line from r, without its line ending.
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, access.MaxPasswordBytes+3)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read the password from standard input: %w", err)
	}
	line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	if line == "" {
		return "", errors.New("no password on standard input")
	}
	return line, nil
}

func openUsers(db string) (*ledger.Store, *access.Users, error) {
	store, err := openStore(db, false)
	if err != nil {
		return nil, nil, err
	}
	users, err := access.NewUsers(store, access.UsersOptions{})
	if err != nil {
		store.Close()
		return nil, nil, err
	}
	return store, users, nil
}

func userCreate(cmd *cobra.Command, f userFlags) error {
	req := access.UserRequest{Login: f.name, Display: f.display, Roles: f.roles, Circles: f.circles}
	if err := storeExists(f.db); err != nil {
		return err
	}
	if f.passwordStdin {
		pw, err := readPassword(cmd.InOrStdin())
		if err != nil {
			return err
		}
		req.Password = pw
	}
	if err := access.CheckTTL(f.ttl); err != nil || f.ttl == 0 {
		return fmt.Errorf("--ttl %s: must be between 1 second and %d days", f.ttl, access.MaxTokenTTL/(24*time.Hour))
	}
	store, users, err := openUsers(f.db)
	if err != nil {
		return err
	}
	defer store.Close()
	u, token, rec, err := users.CreateWithToken(context.Background(), req, f.ttl, "cli")
	if err != nil {
		return fmt.Errorf("create user: %w", err)
	}
	out := cmd.OutOrStdout()
	fmt.Fprintf(out, "user %s (id %d): roles %s, circles %s, console password %s\n", u.Login, u.ID, strings.Join(u.Roles, ", "),
		u.Scope, map[bool]string{true: "set", false: "not set"}[req.Password != ""])
	fmt.Fprintf(out, "token %d of %s, expires %s, shown once (only its hash is stored):\n", rec.ID, u.Login, rec.Expires.Format(time.RFC3339))
	fmt.Fprintln(out, token)
	return nil
}

func userList(cmd *cobra.Command, db string) error {
	store, err := openStore(db, true)
	if err != nil {
		return err
	}
	defer store.Close()
	var all []access.User
	err = store.View(func(tx *ledger.Tx) error {
		if !tx.Has(ledger.AuthUsers) {
			return nil // a store from before user accounts
		}
		var err error
		all, err = (&access.Users{}).List(tx)
		return err
	})
	if err != nil {
		return fmt.Errorf("list users: %w", err)
	}
	w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tLOGIN\tROLES\tCIRCLES\tDISABLED\tDISPLAY")
	for _, u := range all {
		disabled := "-"
		if u.Disabled != nil {
			disabled = u.Disabled.Format(time.RFC3339)
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\t%s\n", u.ID, u.Login, strings.Join(u.Roles, ","), u.Scope, disabled, u.Display)
	}
	return w.Flush()
}

func userDisable(cmd *cobra.Command, db, login string) error {
	store, users, err := openUsers(db)
	if err != nil {
		return err
	}
	defer store.Close()
	var u access.User
	err = store.Write(context.Background(), func(tx *ledger.Tx) error {
		var err error
		u, err = users.Disable(tx, login, "")
		return err
	})
	if err != nil {
		return fmt.Errorf("disable user: %w", err)
	}
	fmt.Fprintf(cmd.OutOrStdout(), "user %s disabled at %s: its password, sessions and tokens no longer work\n", u.Login, u.Disabled.Format(time.RFC3339))
	return nil
}

func userPasswd(cmd *cobra.Command, db, login string) error {
	if err := storeExists(db); err != nil {
		return err
	}
	pw, err := readPassword(cmd.InOrStdin())
	if err != nil {
		return err
	}
	store, users, err := openUsers(db)
	if err != nil {
		return err
	}
	defer store.Close()
	if err := users.SetPassword(context.Background(), login, pw); err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	fmt.Fprintf(cmd.OutOrStdout(), "password of %s set\n", login)
	return nil
}
