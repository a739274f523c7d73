// Command apiclient drives a running amanat server through a client that
// oapi-codegen generated from the server's own GET /openapi.json: it lists
// cases, lists and reads an item, registers a seizure, appends a custody
// entry and reads a court bundle, all through the generated types. It fails
// on any answer that is not 2xx, that does not decode into its generated type,
// or that carries a field the description does not declare.
//
// .ci/openapi-check generates client.gen.go beside this file (in a copy of
// this module, so nothing generated lands in the repository) and runs it
// against `amanat serve --demo` with the AMANAT, CUSTODIAN_TOKEN and
// INVESTIGATOR_TOKEN variables the demo prints.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "apiclient:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	base, custodianToken, investigatorToken := os.Getenv("AMANAT"), os.Getenv("CUSTODIAN_TOKEN"), os.Getenv("INVESTIGATOR_TOKEN")
	if base == "" || custodianToken == "" || investigatorToken == "" {
		return errors.New("set AMANAT, CUSTODIAN_TOKEN and INVESTIGATOR_TOKEN (amanat serve --demo prints them)")
	}
	custodian, err := clientAs(base, custodianToken)
	if err != nil {
		return err
	}
	investigator, err := clientAs(base, investigatorToken)
	if err != nil {
		return err
	}

	// List cases, then an item of the first case, then read that item.
	casesRes, err := investigator.ListCasesWithResponse(ctx, &ListCasesParams{})
	cases, err := answer[CaseList]("GET /v1/cases", casesRes.HTTPResponse, casesRes.Body, err, casesRes != nil && casesRes.JSON200 != nil)
	if err != nil {
		return err
	}
	if len(cases.Data) == 0 {
		return errors.New("GET /v1/cases: the demo has no case")
	}
	first := cases.Data[0]
	one := 1
	itemsRes, err := investigator.ListItemsWithResponse(ctx, &ListItemsParams{CaseId: &first.Id, Limit: &one})
	items, err := answer[ItemList]("GET /v1/items?case_id=", itemsRes.HTTPResponse, itemsRes.Body, err, itemsRes != nil && itemsRes.JSON200 != nil)
	if err != nil {
		return err
	}
	if len(items.Data) != 1 || items.Data[0].CaseId != first.Id {
		return fmt.Errorf("GET /v1/items?case_id=%d&limit=1: %d items", first.Id, len(items.Data))
	}
	itemRes, err := investigator.GetItemWithResponse(ctx, items.Data[0].Id)
	item, err := answer[Item]("GET /v1/items/{id}", itemRes.HTTPResponse, itemRes.Body, err, itemRes != nil && itemRes.JSON200 != nil)
	if err != nil {
		return err
	}
	fmt.Printf("apiclient: %d cases on the first page; item %d (%s, seal %s) is %s with %s\n",
		len(cases.Data), item.Id, item.Kind, item.Seal, item.Status, item.Holder)

	// Register a seizure of one cash bag in that case.
	now := time.Now().UTC().Truncate(time.Second)
	seal := fmt.Sprintf("CI-%d", now.UnixNano())
	officer := "Inspector CI Client"
	var caseID IDInput
	if err := caseID.FromIDInput0(first.Id); err != nil {
		return err
	}
	var place SeizurePlace
	circle, building := first.Circle, "Generated client, desk 1"
	if err := place.FromPlaceInput(PlaceInput{Circle: &circle, Building: &building}); err != nil {
		return err
	}
	var from SeizedFrom
	if err := from.FromPersonInput(PersonInput{Name: "A. Tester"}); err != nil {
		return err
	}
	key := seal
	seizureRes, err := custodian.RegisterSeizureWithResponse(ctx, &RegisterSeizureParams{IdempotencyKey: &key}, SeizureRequest{
		CaseId: caseID, SeizedAt: now.Add(-time.Hour), Location: &place, SeizedFrom: &from, Officer: officer,
		Items: []ItemRequest{{
			Kind: ItemRequestKind("cash"), Seal: seal, Description: "bag of notes seized by the generated client",
			Amounts: &[]CashAmount{{Currency: "USD", Amount: "100.00"}},
		}},
	})
	receipt, err := answer[SeizureReceipt]("POST /v1/seizures", seizureRes.HTTPResponse, seizureRes.Body, err, seizureRes != nil && seizureRes.JSON201 != nil)
	if err != nil {
		return err
	}
	if len(receipt.Items) != 1 || receipt.Items[0].Seal != seal {
		return fmt.Errorf("POST /v1/seizures: receipt for %d items", len(receipt.Items))
	}
	seized := receipt.Items[0].Id

	// Hand it over: a transfer from the seizing officer.
	to, purpose := "Malkhana In-charge CI", "deposit after the seizure"
	entryRes, err := custodian.AppendCustodyWithResponse(ctx, seized, &AppendCustodyParams{}, CustodyRequest{
		Event: CustodyEvent("transferred"), At: now.Add(-30 * time.Minute), From: &officer, To: &to, Purpose: &purpose,
	})
	entry, err := answer[CustodyEntry]("POST /v1/items/{id}/custody", entryRes.HTTPResponse, entryRes.Body, err, entryRes != nil && entryRes.JSON201 != nil)
	if err != nil {
		return err
	}
	if entry.ItemSeq != 2 || entry.PrevHash == nil || *entry.PrevHash != receipt.Items[0].CustodyEntryHash || entry.LedgerTxn != nil {
		return fmt.Errorf("POST /v1/items/%d/custody: entry %d of the item, prev_hash %v, ledger_txn %v", seized, entry.ItemSeq, entry.PrevHash, entry.LedgerTxn)
	}

	// The court bundle of the new item carries both of its entries.
	bundleRes, err := investigator.CustodyBundleWithResponse(ctx, seized)
	bundle, err := answer[CustodyBundle]("GET /v1/items/{id}/custody/bundle", bundleRes.HTTPResponse, bundleRes.Body, err, bundleRes != nil && bundleRes.JSON200 != nil)
	if err != nil {
		return err
	}
	if bundle.Item != seized || len(bundle.Entries) != 2 {
		return fmt.Errorf("GET /v1/items/%d/custody/bundle: item %d with %d entries", seized, bundle.Item, len(bundle.Entries))
	}
	fmt.Printf("apiclient: seized item %d (seal %s), entry %d appended, bundle of %d entries at tree size %d\n",
		seized, seal, entry.Seq, len(bundle.Entries), bundle.TreeSize)
	return nil
}

// clientAs is a generated client that sends token as the bearer.
func clientAs(base, token string) (*ClientWithResponses, error) {
	return NewClientWithResponses(base, WithRequestEditorFn(func(_ context.Context, req *http.Request) error {
		req.Header.Set("Authorization", "Bearer "+token)
		return nil
	}))
}

// answer checks one answer: no transport or decode error from the generated
// client, a 2xx status, the generated client's typed body set (typed), an
// X-Request-Id header, and a body that decodes into T with no field T lacks.
func answer[T any](what string, res *http.Response, body []byte, err error, typed bool) (T, error) {
	var v T
	if err != nil {
		return v, fmt.Errorf("%s: %w", what, err)
	}
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return v, fmt.Errorf("%s: %s: %s", what, res.Status, body)
	}
	if !typed {
		return v, fmt.Errorf("%s: %s: the generated client decoded no typed body from %s", what, res.Status, body)
	}
	if res.Header.Get("X-Request-Id") == "" {
		return v, fmt.Errorf("%s: no X-Request-Id", what)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		return v, fmt.Errorf("%s: the answer does not decode into the generated %T: %w", what, v, err)
	}
	return v, nil
}
