package iamsvc_test

import (
	"bytes"
	"encoding/base32"
	"encoding/base64"
	"image/png"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	iamsdk "github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamd/iamd/internal/iamsvc"
	"github.com/iamd/iamd/internal/iamtest"
	"github.com/iamd/iamd/internal/node"
	"github.com/iamd/iamd/internal/seal"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/internal/totp"
)

// authenticator plays the user's app: codes for the harness clock's steps.
type authenticator struct {
	seed  []byte
	clock *iamtest.Clock
}

func (a authenticator) code(offset int64) string {
	return totp.Code(a.seed, totp.Step(a.clock.Now())+offset)
}

func TestVirtualMFA(t *testing.T) {
	h, kr := harnessWithKeyring(t)
	c := iamtest.IAM(h.Root())
	must(c.CreateUser(ctx, &iamsdk.CreateUserInput{UserName: aws.String("bob")}))(t)
	out := must(c.CreateVirtualMFADevice(ctx, &iamsdk.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("bob-phone"),
		Path: aws.String("/team/"), Tags: []iamtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}))(t).VirtualMFADevice
	serial := aws.ToString(out.SerialNumber)
	if serial != "arn:aws:iam::"+iamtest.Account+":mfa/team/bob-phone" {
		t.Fatalf("serial = %s", serial)
	}
	seed, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(string(out.Base32StringSeed))
	if err != nil || len(seed) != 20 {
		t.Fatalf("seed %q: %d bytes, %v", out.Base32StringSeed, len(seed), err)
	}
	if _, err := png.Decode(bytes.NewReader(out.QRCodePNG)); err != nil {
		t.Fatalf("QRCodePNG: %v", err)
	}
	// The same path and name, in another case; the same name at another path is another device
	// (TestVirtualMFAPathAndName).
	_, err = c.CreateVirtualMFADevice(ctx, &iamsdk.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String("BOB-PHONE"), Path: aws.String("/team/")})
	wantErr(t, err, "EntityAlreadyExists", "MFADevice entity at the same path and name already exists.")

	app := authenticator{seed, h.Clock}
	enable := func(c1, c2 string) error {
		_, err := c.EnableMFADevice(ctx, &iamsdk.EnableMFADeviceInput{UserName: aws.String("bob"), SerialNumber: aws.String(serial),
			AuthenticationCode1: aws.String(c1), AuthenticationCode2: aws.String(c2)})
		return err
	}
	bad := []struct{ name, c1, c2 string }{
		{"same code twice", app.code(0), app.code(0)},
		{"reversed", app.code(0), app.code(-1)},
		{"far past", app.code(-30), app.code(-29)},
		{"wrong", "000000", "000000"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			if tc.c1 == "000000" && app.code(-1) == "000000" {
				t.Skip("the clock happens to give 000000")
			}
			wantErr(t, enable(tc.c1, tc.c2), "InvalidAuthenticationCode", "Authentication code for device is not valid.")
		})
	}
	must(0, enable(app.code(-1), app.code(0)))(t)
	wantErr(t, enable(app.code(-1), app.code(0)), "EntityAlreadyExists", "")

	list := must(c.ListMFADevices(ctx, &iamsdk.ListMFADevicesInput{UserName: aws.String("bob")}))(t)
	if len(list.MFADevices) != 1 || aws.ToString(list.MFADevices[0].SerialNumber) != serial || list.MFADevices[0].EnableDate == nil {
		t.Errorf("ListMFADevices = %+v", list.MFADevices)
	}
	for _, tc := range []struct {
		status iamtypes.AssignmentStatusType
		want   int
	}{{iamtypes.AssignmentStatusTypeAssigned, 1}, {iamtypes.AssignmentStatusTypeUnassigned, 0}, {iamtypes.AssignmentStatusTypeAny, 1}} {
		v := must(c.ListVirtualMFADevices(ctx, &iamsdk.ListVirtualMFADevicesInput{AssignmentStatus: tc.status}))(t).VirtualMFADevices
		if len(v) != tc.want || tc.want == 1 && (v[0].User == nil || aws.ToString(v[0].User.UserName) != "bob" || v[0].Base32StringSeed != nil) {
			t.Errorf("ListVirtualMFADevices(%s) = %+v", tc.status, v)
		}
	}
	got := must(c.GetMFADevice(ctx, &iamsdk.GetMFADeviceInput{SerialNumber: aws.String(serial)}))(t)
	if aws.ToString(got.UserName) != "bob" || got.EnableDate == nil {
		t.Errorf("GetMFADevice = %+v", got)
	}

	// A user with an enabled device cannot be deleted; the device cannot be deleted while in use.
	_, err = c.DeleteUser(ctx, &iamsdk.DeleteUserInput{UserName: aws.String("bob")})
	wantErr(t, err, "DeleteConflict", "Cannot delete entity, must delete MFA device first.")
	_, err = c.DeleteVirtualMFADevice(ctx, &iamsdk.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(serial)})
	wantErr(t, err, "DeleteConflict", "MFA Device is still in use.")

	// CheckMFA, as STS calls it: a fresh code passes once; its replay and a wrong code fail.
	svc := iamsvc.New(iamsvc.Config{Store: h.Node.Store, Keyring: kr, Now: h.Clock.Now})
	h.Clock.Advance(30 * time.Second)
	code := app.code(0)
	if _, err := svc.CheckMFA(ctx, iamtest.Account, "bob", serial, code); err != nil {
		t.Fatalf("CheckMFA with a fresh code: %v", err)
	}
	if _, err := svc.CheckMFA(ctx, iamtest.Account, "bob", serial, code); err == nil {
		t.Error("CheckMFA accepted a replayed code")
	}
	if _, err := svc.CheckMFA(ctx, iamtest.Account, "alice", serial, app.code(1)); err == nil {
		t.Error("CheckMFA accepted another user's device")
	}
	// Concurrent uses of one new code: exactly one passes.
	h.Clock.Advance(30 * time.Second)
	code = app.code(0)
	var wg sync.WaitGroup
	var mu sync.Mutex
	passed := 0
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := svc.CheckMFA(ctx, iamtest.Account, "bob", serial, code); err == nil {
				mu.Lock()
				passed++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if passed != 1 {
		t.Errorf("%d of 8 concurrent uses of one code passed, want 1", passed)
	}

	// The device's clock drifts 10 minutes ahead: resync finds it, and CheckMFA follows.
	drifted := func(off int64) string { return app.code(20 + off) }
	must(c.ResyncMFADevice(ctx, &iamsdk.ResyncMFADeviceInput{UserName: aws.String("bob"), SerialNumber: aws.String(serial),
		AuthenticationCode1: aws.String(drifted(-1)), AuthenticationCode2: aws.String(drifted(0))}))(t)
	h.Clock.Advance(30 * time.Second)
	if _, err := svc.CheckMFA(ctx, iamtest.Account, "bob", serial, drifted(0)); err != nil {
		t.Errorf("CheckMFA after resync: %v", err)
	}

	must(c.TagMFADevice(ctx, &iamsdk.TagMFADeviceInput{SerialNumber: aws.String(serial), Tags: []iamtypes.Tag{{Key: aws.String("a"), Value: aws.String("b")}}}))(t)
	must(c.UntagMFADevice(ctx, &iamsdk.UntagMFADeviceInput{SerialNumber: aws.String(serial), TagKeys: []string{"k"}}))(t)
	tags := must(c.ListMFADeviceTags(ctx, &iamsdk.ListMFADeviceTagsInput{SerialNumber: aws.String(serial)}))(t).Tags
	if len(tags) != 1 || aws.ToString(tags[0].Key) != "a" {
		t.Errorf("tags = %v", tags)
	}

	must(c.DeactivateMFADevice(ctx, &iamsdk.DeactivateMFADeviceInput{UserName: aws.String("bob"), SerialNumber: aws.String(serial)}))(t)
	if _, err := svc.CheckMFA(ctx, iamtest.Account, "bob", serial, app.code(0)); err == nil {
		t.Error("CheckMFA passed for a deactivated device")
	}
	must(c.DeleteVirtualMFADevice(ctx, &iamsdk.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(serial)}))(t)
	_, err = c.GetMFADevice(ctx, &iamsdk.GetMFADeviceInput{SerialNumber: aws.String(serial)})
	wantErr(t, err, "NoSuchEntity", "")
	must(c.DeleteUser(ctx, &iamsdk.DeleteUserInput{UserName: aws.String("bob")}))(t)
}

// harnessWithKeyring starts a harness like iamtest.New, but with a known master key, and
// returns the node's keyring too: a second service over the same store (playing STS's caller of
// CheckMFA) must open the seeds the node sealed.
func harnessWithKeyring(t *testing.T) (*iamtest.Harness, *seal.Keyring) {
	t.Helper()
	master := make([]byte, 32)
	for i := range master {
		master[i] = byte(i)
	}
	clock := &iamtest.Clock{}
	n, err := node.Open(ctx, node.Config{DataDir: t.TempDir(), MasterKey: base64.StdEncoding.EncodeToString(master),
		AccountID: iamtest.Account, RootAccessKeyID: iamtest.RootKeyID, RootSecretAccessKey: iamtest.RootSecret,
		Logger: slog.New(slog.DiscardHandler), Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	h := iamtest.Serve(t, n, clock)
	var keys []store.SealKey
	err = n.Store.Read(ctx, func(tx store.Tx) error {
		keys, err = tx.SealKeys(ctx)
		return err
	})
	if err != nil || len(keys) != 1 {
		t.Fatalf("seal keys: %d, %v", len(keys), err)
	}
	k, err := seal.Unwrap([32]byte(master), keys[0].Wrapped)
	if err != nil {
		t.Fatal(err)
	}
	kr, err := seal.NewKeyring(k)
	if err != nil {
		t.Fatal(err)
	}
	return h, kr
}
