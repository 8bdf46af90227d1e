package iamsvc

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	iamapi "github.com/iamd/iamd/internal/api/iam"
	"github.com/iamd/iamd/internal/awserr"
	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/qr"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/internal/totp"
)

// Virtual MFA devices: TOTP codes (package totp) of a 160-bit seed sealed at rest, enrolled with
// a QR code (package qr). A device is a record named by its device name; while it is enabled for a
// user the record's owner is that user, which keeps DeleteUser from removing the user under it.

const (
	// seedBytes is the seed size: 160 bits, RFC 4226's recommended length for HMAC-SHA1.
	seedBytes = 20
	// enableWindow is how many steps back the first of two consecutive codes may lie when a
	// device is enabled: people type the codes as their app shows them.
	enableWindow = 10
	// resyncWindow is how far (in steps, either way) ResyncMFADevice looks for a drifted clock.
	resyncWindow = 40
	// checkWindow is the tolerance of CheckMFA around the device's (drift-corrected) step.
	checkWindow = 1
	// maxMFAPerUser is AWS's quota of MFA devices per user.
	maxMFAPerUser = 8
)

var seedEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// mfaDevice is the stored device.
type mfaDevice struct {
	Serial     string
	Path       string
	Name       string
	Seed       []byte // the raw seed, sealed with seedAD
	CreateDate time.Time
	UserID     string    `json:",omitempty"` // the user it is enabled for
	EnableDate time.Time `json:",omitempty"`
	// LastStep is the newest time step accepted; a code of that step or an earlier one is a replay.
	LastStep int64 `json:",omitempty"`
	// Drift is the device clock's offset in steps, learnt by ResyncMFADevice.
	Drift int64     `json:",omitempty"`
	Tags  []iam.Tag `json:",omitempty"`

	stored string // the record name it was read under, when read
}

// mfaKey is a virtual device's record name: its path (without the leading slash) and name, as
// its serial number names it, for AWS identifies a device by the two together. At path "/"
// it is the name alone, the record name of every device before paths were part of it.
func mfaKey(path, name string) string { return strings.TrimPrefix(path, "/") + name }

// key is the record name of d: the one it was read under (a device of another path stored
// before paths were part of the name keeps its own), else its path and name.
func (d mfaDevice) key() string {
	if d.stored != "" {
		return d.stored
	}
	return mfaKey(d.Path, d.Name)
}

func seedAD(account, serial string) []byte {
	return []byte("iamd/mfa-seed/" + account + "/" + serial)
}

func noSuchMFA(serial string) error {
	return awserr.NoSuchEntity("MFA Device with serial number " + serial + " does not exist.")
}

func invalidCode() error {
	return awserr.New(http.StatusForbidden, "InvalidAuthenticationCode", "Authentication code for device is not valid.")
}

// deviceKey returns the record name a serial number of account names (its path and name) and
// the device name alone, or false.
func deviceKey(account, serial string) (key, name string, ok bool) {
	rest, ok := strings.CutPrefix(serial, iam.MFAARN(account, "/", ""))
	if !ok || rest == "" {
		return "", "", false
	}
	return rest, rest[strings.LastIndexByte(rest, '/')+1:], true
}

// readMFA reads the virtual device with the serial number: by path and name, else (a device of
// another path than "/" stored before paths were part of the record name) by name alone.
func readMFA(ctx context.Context, tx store.Tx, account, serial string) (mfaDevice, error) {
	var d mfaDevice
	key, name, ok := deviceKey(account, serial)
	if !ok {
		return d, noSuchMFA(serial)
	}
	err := readRecord(ctx, tx, account, kindMFA, key, &d, noSuchMFA(serial))
	if _, missing := awserr.As(err); missing && key != name {
		key = name
		err = readRecord(ctx, tx, account, kindMFA, key, &d, noSuchMFA(serial))
	}
	if err != nil {
		return mfaDevice{}, err
	}
	if !strings.EqualFold(d.Serial, serial) {
		return mfaDevice{}, noSuchMFA(serial) // same name under another path
	}
	d.stored = key
	return d, nil
}

func writeMFA(ctx context.Context, tx store.Tx, account string, d mfaDevice) error {
	return writeRecord(ctx, tx, false, account, kindMFA, d.key(), d.UserID, d)
}

func (s *Service) openSeed(account string, d mfaDevice) ([]byte, error) {
	if s.cfg.Keyring == nil {
		return nil, errors.New("iamsvc: no keyring for MFA seeds")
	}
	return s.cfg.Keyring.Open(d.Seed, seedAD(account, d.Serial))
}

// CreateVirtualMFADevice creates an unassigned device and returns its seed, as Base32 text and
// as a QR code of the otpauth URI, once: only the sealed seed is stored.
func (s *Service) CreateVirtualMFADevice(ctx context.Context, in *iamapi.CreateVirtualMFADeviceInput) (*iamapi.CreateVirtualMFADeviceOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	if s.cfg.Keyring == nil {
		return nil, errors.New("iamsvc: no keyring for MFA seeds")
	}
	path := in.Path
	if path == "" {
		path = "/"
	}
	if err := iam.ValidatePath("path", path); err != nil {
		return nil, err
	}
	tags := tagsIn(in.Tags)
	if err := iam.ValidateTags(tags, iam.ExactTagKeys); err != nil {
		return nil, err
	}
	account := c.Account()
	seed := make([]byte, seedBytes)
	if _, err := rand.Read(seed); err != nil {
		return nil, err
	}
	serial := iam.MFAARN(account, path, in.VirtualMFADeviceName)
	d := mfaDevice{Serial: serial, Path: path, Name: in.VirtualMFADeviceName, Seed: s.cfg.Keyring.Seal(seed, seedAD(account, serial)),
		CreateDate: s.now(), Tags: tags}
	seedText := seedEncoding.EncodeToString(seed)
	// AWS's documented form: otpauth://totp/$virtualMFADeviceName@$AccountName?secret=$Base32String.
	uri := "otpauth://totp/" + url.PathEscape(in.VirtualMFADeviceName+"@"+account) + "?secret=" + seedText
	png, err := qr.PNG([]byte(uri), 6)
	if err != nil {
		return nil, awserr.InvalidInput("The virtual MFA device name is too long.")
	}
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		// A device of this path and name stored before paths were part of the record name is
		// found under the name alone.
		if _, err := readMFA(ctx, tx, account, serial); err == nil {
			return awserr.EntityAlreadyExists("MFADevice entity at the same path and name already exists.")
		}
		err := writeRecord(ctx, tx, true, account, kindMFA, d.key(), "", d)
		return exists(err, "MFADevice entity at the same path and name already exists.")
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.CreateVirtualMFADeviceOutput{VirtualMFADevice: &iamapi.VirtualMFADevice{SerialNumber: serial,
		Base32StringSeed: []byte(seedText), QRCodePNG: png, Tags: tagsOut(tags)}}, nil
}

// EnableMFADevice assigns a device to a user after two consecutive valid codes.
func (s *Service) EnableMFADevice(ctx context.Context, in *iamapi.EnableMFADeviceInput) (*iamapi.EnableMFADeviceOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	account := c.Account()
	now := totp.Step(s.cfg.Now())
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		u, err := getUser(ctx, tx, account, in.UserName)
		if err != nil {
			return err
		}
		d, err := readMFA(ctx, tx, account, in.SerialNumber)
		if err != nil {
			return err
		}
		if d.UserID != "" {
			return awserr.EntityAlreadyExists("MFA Device is already in use.")
		}
		owned, err := tx.RecordsByOwner(ctx, account, kindMFA, u.UserID)
		if err != nil {
			return err
		}
		if len(owned) >= maxMFAPerUser {
			return quota("MFADevicesPerUser", maxMFAPerUser)
		}
		seed, err := s.openSeed(account, d)
		if err != nil {
			return err
		}
		step, ok := totp.FindConsecutive(seed, in.AuthenticationCode1, in.AuthenticationCode2, now-enableWindow, now)
		if !ok {
			return invalidCode()
		}
		d.UserID, d.EnableDate, d.LastStep, d.Drift = u.UserID, s.now(), step+1, 0
		return writeMFA(ctx, tx, account, d)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.EnableMFADeviceOutput{}, nil
}

// userDevice reads a device enabled for the user.
func userDevice(ctx context.Context, tx store.Tx, account, userName, serial string) (iam.User, mfaDevice, error) {
	u, err := getUser(ctx, tx, account, userName)
	if err != nil {
		return u, mfaDevice{}, err
	}
	d, err := readMFA(ctx, tx, account, serial)
	if err != nil {
		return u, d, err
	}
	if d.UserID != u.UserID {
		return u, mfaDevice{}, noSuchMFA(serial)
	}
	return u, d, nil
}

// ResyncMFADevice realigns the service with a device whose clock drifted: two consecutive
// codes found within twenty minutes either way set the device's drift.
func (s *Service) ResyncMFADevice(ctx context.Context, in *iamapi.ResyncMFADeviceInput) (*iamapi.ResyncMFADeviceOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	account := c.Account()
	now := totp.Step(s.cfg.Now())
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		_, d, err := userDevice(ctx, tx, account, in.UserName, in.SerialNumber)
		if err != nil {
			return err
		}
		seed, err := s.openSeed(account, d)
		if err != nil {
			return err
		}
		step, ok := totp.FindConsecutive(seed, in.AuthenticationCode1, in.AuthenticationCode2, now-resyncWindow, now+resyncWindow)
		if !ok || step+1 <= d.LastStep {
			return invalidCode()
		}
		d.LastStep, d.Drift = step+1, step+1-now
		return writeMFA(ctx, tx, account, d)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.ResyncMFADeviceOutput{}, nil
}

// DeactivateMFADevice takes a device from its user; the virtual device remains, unassigned.
func (s *Service) DeactivateMFADevice(ctx context.Context, in *iamapi.DeactivateMFADeviceInput) (*iamapi.DeactivateMFADeviceOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	name, root, err := callerUser(c, in.UserName)
	if err != nil {
		return nil, err
	}
	if root {
		return nil, noSuchMFA(in.SerialNumber)
	}
	account := c.Account()
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		_, d, err := userDevice(ctx, tx, account, name, in.SerialNumber)
		if err != nil {
			return err
		}
		d.UserID, d.EnableDate, d.LastStep, d.Drift = "", time.Time{}, 0, 0
		return writeMFA(ctx, tx, account, d)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.DeactivateMFADeviceOutput{}, nil
}

// DeleteVirtualMFADevice deletes an unassigned device.
func (s *Service) DeleteVirtualMFADevice(ctx context.Context, in *iamapi.DeleteVirtualMFADeviceInput) (*iamapi.DeleteVirtualMFADeviceOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	account := c.Account()
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		d, err := readMFA(ctx, tx, account, in.SerialNumber)
		if err != nil {
			return err
		}
		if d.UserID != "" {
			return awserr.DeleteConflict("MFA Device is still in use.")
		}
		return notFound(tx.DeleteRecord(ctx, account, kindMFA, d.key()), noSuchMFA(in.SerialNumber))
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.DeleteVirtualMFADeviceOutput{}, nil
}

// ListMFADevices lists the devices enabled for a user (the caller when UserName is absent).
func (s *Service) ListMFADevices(ctx context.Context, in *iamapi.ListMFADevicesInput) (*iamapi.ListMFADevicesOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	name, root, err := callerUser(c, in.UserName)
	if err != nil {
		return nil, err
	}
	var devices []mfaDevice
	var u iam.User
	if !root {
		err = s.cfg.Store.Read(ctx, func(tx store.Tx) error {
			if u, err = getUser(ctx, tx, c.Account(), name); err != nil {
				return err
			}
			rs, err := tx.RecordsByOwner(ctx, c.Account(), kindMFA, u.UserID)
			if err != nil {
				return err
			}
			devices, err = decodeRecords[mfaDevice](rs)
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	page, trunc, next, err := pageSlice(devices, in.Marker, maxItems(in.MaxItems))
	if err != nil {
		return nil, err
	}
	out := &iamapi.ListMFADevicesOutput{MFADevices: make([]iamapi.MFADevice, len(page)), IsTruncated: ptr(trunc), Marker: next}
	for i, d := range page {
		out.MFADevices[i] = iamapi.MFADevice{UserName: u.UserName, SerialNumber: d.Serial, EnableDate: d.EnableDate}
	}
	return out, nil
}

// ListVirtualMFADevices lists the account's virtual devices by assignment status, without seeds.
func (s *Service) ListVirtualMFADevices(ctx context.Context, in *iamapi.ListVirtualMFADevicesInput) (*iamapi.ListVirtualMFADevicesOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	var out []iamapi.VirtualMFADevice
	err = s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		rs, err := allRecords(ctx, tx, c.Account(), kindMFA)
		if err != nil {
			return err
		}
		devices, err := decodeRecords[mfaDevice](rs)
		if err != nil {
			return err
		}
		for _, d := range devices {
			assigned := d.UserID != ""
			if in.AssignmentStatus == "Assigned" && !assigned || in.AssignmentStatus == "Unassigned" && assigned {
				continue
			}
			v := iamapi.VirtualMFADevice{SerialNumber: d.Serial, EnableDate: d.EnableDate}
			if assigned {
				u, err := tx.UserByID(ctx, c.Account(), d.UserID)
				if err != nil {
					return err
				}
				uo := userOut(u, false)
				v.User = &uo
			}
			out = append(out, v)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	page, trunc, next, err := pageSlice(out, in.Marker, maxItems(in.MaxItems))
	if err != nil {
		return nil, err
	}
	return &iamapi.ListVirtualMFADevicesOutput{VirtualMFADevices: nonNil(page), IsTruncated: ptr(trunc), Marker: next}, nil
}

// GetMFADevice returns a device's serial number and, when enabled, its user and enable date.
func (s *Service) GetMFADevice(ctx context.Context, in *iamapi.GetMFADeviceInput) (*iamapi.GetMFADeviceOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	out := &iamapi.GetMFADeviceOutput{SerialNumber: in.SerialNumber}
	err = s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		d, err := readMFA(ctx, tx, c.Account(), in.SerialNumber)
		if err != nil {
			return err
		}
		out.SerialNumber = d.Serial
		if d.UserID == "" {
			if in.UserName != "" {
				return noSuchMFA(in.SerialNumber)
			}
			return nil
		}
		u, err := tx.UserByID(ctx, c.Account(), d.UserID)
		if err != nil {
			return err
		}
		if in.UserName != "" && !equalFold(in.UserName, u.UserName) {
			return noSuchMFA(in.SerialNumber)
		}
		out.UserName, out.EnableDate = u.UserName, d.EnableDate
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// mfaTags reaches virtual MFA devices for the tag operations.
var mfaTags = tagged[mfaDevice]{
	load: readMFA,
	save: writeMFA,
	tags: func(d *mfaDevice) *[]iam.Tag { return &d.Tags },
	keys: iam.ExactTagKeys,
}

// TagMFADevice adds or replaces tags of a virtual device.
func (s *Service) TagMFADevice(ctx context.Context, in *iamapi.TagMFADeviceInput) (*iamapi.TagMFADeviceOutput, error) {
	if err := mfaTags.tag(ctx, s, in.SerialNumber, in.Tags); err != nil {
		return nil, err
	}
	return &iamapi.TagMFADeviceOutput{}, nil
}

// UntagMFADevice removes tags; absent keys are ignored.
func (s *Service) UntagMFADevice(ctx context.Context, in *iamapi.UntagMFADeviceInput) (*iamapi.UntagMFADeviceOutput, error) {
	if err := mfaTags.untag(ctx, s, in.SerialNumber, in.TagKeys); err != nil {
		return nil, err
	}
	return &iamapi.UntagMFADeviceOutput{}, nil
}

// ListMFADeviceTags lists a device's tags, paged.
func (s *Service) ListMFADeviceTags(ctx context.Context, in *iamapi.ListMFADeviceTagsInput) (*iamapi.ListMFADeviceTagsOutput, error) {
	p, err := mfaTags.list(ctx, s, in.SerialNumber, in.Marker, in.MaxItems)
	return (*iamapi.ListMFADeviceTagsOutput)(p), err
}

// STS's words for MFA failures (AccessDenied, as AWS STS answers them).
var (
	errMFAInvalidCode = awserr.AccessDenied(iam.MFAInvalidCode)
	errMFAUnknown     = awserr.AccessDenied(iam.MFAUnknownDevice)
)

// CheckMFA verifies a code from the virtual MFA device serialNumber enabled for the IAM user
// userName of account, and returns when it was verified (the base of aws:MultiFactorAuthAge).
// A code is accepted for the device's current step (corrected by its resync drift) ± one step;
// a code of a step at or before the last one accepted is refused as a replay, and acceptance is
// recorded in the same write so that two concurrent uses cannot both pass. Failures are STS's
// AccessDenied errors.
func (s *Service) CheckMFA(ctx context.Context, account, userName, serialNumber, code string) (time.Time, error) {
	if userName == "" || len(code) != 6 {
		if userName == "" {
			return time.Time{}, errMFAUnknown
		}
		return time.Time{}, errMFAInvalidCode
	}
	now := s.cfg.Now()
	err := s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		_, d, err := userDevice(ctx, tx, account, userName, serialNumber)
		if err != nil {
			if _, ok := awserr.As(err); ok {
				return errMFAUnknown
			}
			return err
		}
		seed, err := s.openSeed(account, d)
		if err != nil {
			return err
		}
		cur := totp.Step(now) + d.Drift
		for st := cur - checkWindow; st <= cur+checkWindow; st++ {
			if totp.Valid(seed, st, code) {
				if st <= d.LastStep {
					return errMFAInvalidCode // replay of a code already used
				}
				d.LastStep = st
				return writeMFA(ctx, tx, account, d)
			}
		}
		return errMFAInvalidCode
	})
	if err != nil {
		return time.Time{}, err
	}
	return now.UTC(), nil
}
