package httpapi

import (
	"context"
	"net/http/httptest"
	"os"
	"testing"
	"time"
	"fmt"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/cdproto/page"
	"github.com/amanat-ledger/amanat/chain/access"
)

func TestZZShots(t *testing.T) {
	ts, _ := consoleItemServer(t)
	ts.do(access.RoleFinance, "POST", "/v1/rates", fmt.Sprintf(`{"currency":"USD","effective":%q,"rate":"280.00","source":"sbp-interbank"}`, time.Now().UTC().Format("2006-01-02")))
	propose(t, ts, returnBody())
	hs := httptest.NewServer(ts.s.Echo())
	defer hs.Close()
	alloc, c1 := chromedp.NewExecAllocator(context.Background(), append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath("/usr/bin/chromium"), chromedp.NoSandbox)...)
	defer c1()
	ctx, c2 := chromedp.NewContext(alloc)
	defer c2()
	for _, role := range []string{"custodian", "supervisor"} {
	for _, w := range []int64{1366, 390} {
		chromedp.Do(ctx, chromedp.EmulateViewport(w, 800), chromedp.Navigate(hs.URL+"/logout"))
		chromedp.Do(ctx, chromedp.Navigate(hs.URL+"/login"), chromedp.SetValue(chromedp.CSS("#username"), "test-"+role), chromedp.SetValue(chromedp.CSS("#password"), "pw-"+role))
		chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS("button[type=submit]"))))
		for _, p := range []string{"/", "/items/1", "/approvals", "/cases/1"} {
			chromedp.Do(ctx, chromedp.Navigate(hs.URL+p))
			png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err != nil { t.Fatal(err) }
			os.WriteFile(fmt.Sprintf("/tmp/cc-art/%s-%d%s.png", role, w, map[string]string{"/":"-dash","/items/1":"-item","/approvals":"-appr","/cases/1":"-case"}[p]), png, 0o644)
		}
		ctx2 := ctx
		_ = ctx2
		c2()
		ctx, c2 = chromedp.NewContext(alloc)
	}
	}
}
