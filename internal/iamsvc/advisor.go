package iamsvc

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	iamapi "github.com/iamd/iamd/internal/api/iam"
	"github.com/iamd/iamd/internal/authn"
	"github.com/iamd/iamd/internal/iam"
	"github.com/iamd/iamd/internal/store"
	"github.com/iamd/iamd/internal/usage"
)

// The access advisor: which services the users and roles behind an identity or policy last
// tried to use, from the authorization attempts iamd itself saw. AWS counts every attempt,
// allowed or denied ("not just the successful ones"), so the tracker is told of each request
// authz evaluates.
//
// Attempts are noted in memory (at most once per noteInterval for each entity, service and
// action) and written to the record store in one transaction at most every flushInterval, and
// always before a report is generated, so reports include everything this node saw. Each write
// moves the store generation (and so invalidates compiled-policy caches), which is why the
// periodic write is rare; AWS itself says recent activity takes up to four hours to appear.

const (
	noteInterval  = time.Minute
	flushInterval = 5 * time.Minute
	// maxPendingNotes bounds the memory of notes awaiting a write.
	maxPendingNotes = 100_000
)

// entityUse is the stored use of services by one user or role (kindServiceUse, named by the
// entity's unique id). It has no store owner: an owned record would keep the entity from being
// deleted. A deleted entity's record stays behind unread (unique ids are never reused).
type entityUse struct {
	EntityARN string
	Services  map[string]*serviceUse // by namespace
}

// serviceUse is the last use of one service.
type serviceUse struct {
	Last    time.Time
	Region  string               `json:",omitempty"`
	Actions map[string]actionUse `json:",omitempty"` // by action name, for ACTION_LEVEL reports
}

type actionUse struct {
	Last   time.Time
	Region string `json:",omitempty"`
}

// useKey identifies a pending note.
type useKey struct{ account, entityID, namespace, action string }

type useNote struct {
	entityARN string
	when      time.Time
	region    string
}

// AccessTracker collects authorization attempts for the access advisor, through a
// usage.Recorder. It is safe for concurrent use; the zero value is not usable, make one with
// NewAccessTracker.
type AccessTracker struct {
	store  store.Store
	now    func() time.Time
	logger *slog.Logger
	notes  *usage.Recorder[useKey, useNote]
}

// NewAccessTracker returns a tracker writing to st.
func NewAccessTracker(st store.Store, now func() time.Time, logger *slog.Logger) *AccessTracker {
	if now == nil {
		now = time.Now
	}
	if logger == nil {
		logger = slog.Default()
	}
	t := &AccessTracker{store: st, now: now, logger: logger}
	t.notes = usage.New(noteInterval, flushInterval, maxPendingNotes, now(), t.write)
	return t
}

// Note records that p attempted action ("iam:CreateUser"). Only IAM users and roles are
// tracked, as in AWS: the root user and federated users are not entities of the report. It is
// the authz.Config.Observe hook.
func (t *AccessTracker) Note(ctx context.Context, p *authn.Principal, action string) {
	if t == nil || p == nil {
		return
	}
	entityID, entityARN := trackedEntity(p)
	if entityID == "" {
		return
	}
	if t.note(p.Account(), entityID, entityARN, p.Region(), action) {
		if err := t.notes.Flush(context.WithoutCancel(ctx), t.now()); err != nil {
			t.logger.Warn("recording service access failed", "err", err)
		}
	}
}

// note queues one attempt and reports whether the pending notes are due to be written.
func (t *AccessTracker) note(account, entityID, entityARN, region, action string) (due bool) {
	ns, _, ok := strings.Cut(action, ":")
	if !ok || ns == "" {
		return false
	}
	now := t.now().UTC()
	k := useKey{account: account, entityID: entityID, namespace: strings.ToLower(ns), action: action}
	return t.notes.Note(k, now, useNote{entityARN: entityARN, when: now, region: region})
}

// trackedEntity is the user or role behind p, or "" for principals the advisor does not track.
func trackedEntity(p *authn.Principal) (id, arn string) {
	switch p.Kind() {
	case authn.User:
		return p.UserID(), p.ARN()
	case authn.UserSession:
		if s := p.Session(); s != nil {
			return s.EntityID, iam.UserARN(p.Account(), s.EntityPath, s.EntityName)
		}
	case authn.AssumedRole:
		if s := p.Session(); s != nil {
			return s.EntityID, iam.RoleARN(p.Account(), s.EntityPath, s.EntityName)
		}
	}
	return "", ""
}

// Flush writes the pending notes now. Notes that fail to be written are kept for the next try.
func (t *AccessTracker) Flush(ctx context.Context) error {
	if t == nil {
		return nil
	}
	return t.notes.Flush(ctx, t.now())
}

// write stores a batch of notes in one transaction.
func (t *AccessTracker) write(ctx context.Context, batch map[useKey]useNote) error {
	return t.store.Write(ctx, func(tx store.Tx) error { return writeUses(ctx, tx, batch) })
}

// writeUses merges a batch of notes into the stored uses.
func writeUses(ctx context.Context, tx store.Tx, batch map[useKey]useNote) error {
	type recKey struct{ account, entityID string }
	merged := map[recKey][]useKey{}
	for k := range batch {
		rk := recKey{k.account, k.entityID}
		merged[rk] = append(merged[rk], k)
	}
	for rk, keys := range merged {
		var u entityUse
		err := readRecord(ctx, tx, rk.account, kindServiceUse, rk.entityID, &u, store.ErrNotFound)
		create := errors.Is(err, store.ErrNotFound)
		if err != nil && !create {
			return err
		}
		if u.Services == nil {
			u.Services = map[string]*serviceUse{}
		}
		for _, k := range keys {
			n := batch[k]
			u.EntityARN = n.entityARN
			su := u.Services[k.namespace]
			if su == nil {
				su = &serviceUse{Actions: map[string]actionUse{}}
				u.Services[k.namespace] = su
			}
			if n.when.After(su.Last) {
				su.Last, su.Region = n.when, n.region
			}
			if su.Actions == nil {
				su.Actions = map[string]actionUse{}
			}
			if a := su.Actions[k.action]; n.when.After(a.Last) {
				su.Actions[k.action] = actionUse{Last: n.when, Region: n.region}
			}
		}
		if err := writeRecord(ctx, tx, create, rk.account, kindServiceUse, rk.entityID, "", u); err != nil {
			return err
		}
	}
	return nil
}

// ---- reports ----

// accessReport is a generated report (kindAccessReport, named by its job id).
type accessReport struct {
	JobID     string
	JobType   string
	Created   time.Time
	Completed time.Time
	Services  []reportService
}

type reportService struct {
	Namespace  string
	Last       time.Time `json:",omitempty"`
	LastEntity string    `json:",omitempty"`
	LastRegion string    `json:",omitempty"`
	Total      int32
	Actions    []reportAction `json:",omitempty"`
	Entities   []reportEntity `json:",omitempty"`
}

type reportAction struct {
	Name, Entity, Region string
	Last                 time.Time
}

type reportEntity struct {
	ARN, Name, Type, ID, Path string
	Last                      time.Time `json:",omitempty"`
}

// reportTarget is a user or role whose uses count toward a report.
type reportTarget struct {
	kind                iam.EntityKind
	arn, name, id, path string
}

// serviceNames are the names AWS's reports give services iamd can be asked about. Other
// namespaces are reported under their namespace.
var serviceNames = map[string]string{
	"iam": "AWS Identity and Access Management",
	"sts": "AWS Security Token Service",
}

// baseNamespaces are always considered: the services an iamd serves.
var baseNamespaces = []string{"iam", "sts"}

// GenerateServiceLastAccessedDetails builds the report for a user, group, role or managed
// policy at once and returns its job id; the job is COMPLETED when the call returns.
func (s *Service) GenerateServiceLastAccessedDetails(ctx context.Context, in *iamapi.GenerateServiceLastAccessedDetailsInput) (*iamapi.GenerateServiceLastAccessedDetailsOutput, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.cfg.Access.Flush(ctx); err != nil {
		return nil, err
	}
	granularity := in.Granularity
	if granularity == "" {
		granularity = "SERVICE_LEVEL"
	}
	account := c.Account()
	// A job's dates are to the millisecond, as AWS's GetServiceLastAccessedDetails example
	// writes them (2018-10-24T19:47:31.466Z), unlike entities' whole seconds.
	now := s.cfg.Now().UTC().Truncate(time.Millisecond)
	rep := accessReport{JobID: timeOrderedID(s.cfg.Now()), JobType: granularity, Created: now, Completed: now}
	err = s.cfg.Store.Write(ctx, func(tx store.Tx) error {
		if err := pruneReports(ctx, tx, account); err != nil {
			return err
		}
		policies, targets, err := reportScope(ctx, tx, account, in.Arn)
		if err != nil {
			return err
		}
		uses := map[string]map[string]*serviceUse{} // by entity id, then namespace
		for _, t := range targets {
			var u entityUse
			err := readRecord(ctx, tx, account, kindServiceUse, t.id, &u, store.ErrNotFound)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			uses[t.id] = u.Services
		}
		rep.Services = buildReport(policies, targets, uses, granularity == "ACTION_LEVEL")
		return writeRecord(ctx, tx, true, account, kindAccessReport, rep.JobID, "", rep)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.GenerateServiceLastAccessedDetailsOutput{JobId: rep.JobID}, nil
}

// maxReports is how many access reports an account keeps; generating another drops the oldest.
const maxReports = 100

// pruneReports deletes the oldest reports beyond maxReports-1. Report ids are time-ordered (to the
// millisecond), so the first names in the store's order are the oldest.
func pruneReports(ctx context.Context, tx store.Tx, account string) error {
	n, err := tx.CountRecords(ctx, account, kindAccessReport)
	if err != nil || n < maxReports {
		return err
	}
	old, err := tx.Records(ctx, account, kindAccessReport, store.ListOptions{MaxItems: n - maxReports + 1})
	if err != nil {
		return err
	}
	for _, r := range old.Items {
		if err := tx.DeleteRecord(ctx, account, kindAccessReport, r.Name); err != nil {
			return err
		}
	}
	return nil
}

// timeOrderedID returns an RFC 9562 version-7 UUID: 48 bits of Unix milliseconds, then random
// bits, so ids sort by creation time.
func timeOrderedID(t time.Time) string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	ms := uint64(t.UnixMilli())
	for i := 0; i < 6; i++ {
		b[i] = byte(ms >> (40 - 8*i))
	}
	b[6] = b[6]&0x0f | 0x70
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// reportScope resolves the report's ARN to the policies whose services are reported and the
// users and roles whose uses count.
func reportScope(ctx context.Context, tx store.Tx, account, target string) ([]grantingPolicy, []reportTarget, error) {
	if strings.Contains(target, ":policy/") {
		return policyScope(ctx, tx, account, target)
	}
	ref, err := resolveIdentity(ctx, tx, account, target)
	if err != nil {
		return nil, nil, err
	}
	// A group's report covers the services its own policies allow, for its members; a user's,
	// the services of its own and its groups' policies.
	policies, err := identityPolicies(ctx, tx, account, ref)
	if err != nil {
		return nil, nil, err
	}
	if ref.kind == iam.KindGroup {
		members, err := groupTargets(ctx, tx, account, ref.name)
		return policies, members, err
	}
	return policies, []reportTarget{{kind: ref.kind, arn: ref.arn, name: ref.name, id: ref.id, path: ref.path}}, nil
}

func policyScope(ctx context.Context, tx store.Tx, account, policyARN string) ([]grantingPolicy, []reportTarget, error) {
	p, err := visiblePolicy(ctx, tx, account, policyARN, noSuchPolicy(policyARN))
	if err != nil {
		return nil, nil, err
	}
	v, err := tx.PolicyVersion(ctx, policyARN, p.DefaultVersionID)
	if err != nil {
		return nil, nil, err
	}
	acc, err := iam.ParseServiceAccess(v.Document)
	if err != nil {
		return nil, nil, err
	}
	policies := []grantingPolicy{{access: acc}}
	atts, err := tx.PolicyAttachments(ctx, policyARN)
	if err != nil {
		return nil, nil, err
	}
	var targets []reportTarget
	seen := map[string]bool{}
	for _, a := range atts {
		var ts []reportTarget
		switch a.Kind {
		case iam.KindGroup:
			ts, err = groupTargets(ctx, tx, account, a.Name)
		case iam.KindUser:
			var u iam.User
			u, err = tx.User(ctx, account, a.Name)
			ts = []reportTarget{{kind: iam.KindUser, arn: u.Arn, name: u.UserName, id: u.UserID, path: u.Path}}
		case iam.KindRole:
			var r iam.Role
			r, err = tx.Role(ctx, account, a.Name)
			ts = []reportTarget{{kind: iam.KindRole, arn: r.Arn, name: r.RoleName, id: r.RoleID, path: r.Path}}
		}
		if err != nil {
			return nil, nil, err
		}
		for _, t := range ts {
			if !seen[t.id] {
				seen[t.id] = true
				targets = append(targets, t)
			}
		}
	}
	return policies, targets, nil
}

func groupTargets(ctx context.Context, tx store.Tx, account, group string) ([]reportTarget, error) {
	var out []reportTarget
	marker := ""
	for {
		page, err := tx.GroupMembers(ctx, account, group, store.ListOptions{Marker: marker, MaxItems: 1000})
		if err != nil {
			return nil, err
		}
		for _, u := range page.Items {
			out = append(out, reportTarget{kind: iam.KindUser, arn: u.Arn, name: u.UserName, id: u.UserID, path: u.Path})
		}
		if !page.IsTruncated {
			return out, nil
		}
		marker = page.Marker
	}
}

// buildReport lists, for every service the policies grant (of those iamd serves, those the
// policies name and those the targets used), when the targets last tried to use it.
func buildReport(policies []grantingPolicy, targets []reportTarget, uses map[string]map[string]*serviceUse, actions bool) []reportService {
	candidates := map[string]bool{}
	for _, ns := range baseNamespaces {
		candidates[ns] = true
	}
	for _, p := range policies {
		for _, ns := range p.access.NamedNamespaces() {
			candidates[ns] = true
		}
	}
	for _, us := range uses {
		for ns := range us {
			candidates[ns] = true
		}
	}
	var out []reportService
	for ns := range candidates {
		granted := false
		for _, p := range policies {
			if p.access.Grants(ns) {
				granted = true
				break
			}
		}
		if !granted {
			continue
		}
		rs := reportService{Namespace: ns}
		lastAction := map[string]reportAction{}
		for _, t := range targets {
			e := reportEntity{ARN: t.arn, Name: t.name, Type: entityTypeOf(t.kind), ID: t.id, Path: t.path}
			if u := uses[t.id][ns]; u != nil {
				e.Last = u.Last
				rs.Total++
				if u.Last.After(rs.Last) {
					rs.Last, rs.LastEntity, rs.LastRegion = u.Last, t.arn, u.Region
				}
				for name, a := range u.Actions {
					if a.Last.After(lastAction[name].Last) {
						lastAction[name] = reportAction{Name: name, Entity: t.arn, Region: a.Region, Last: a.Last}
					}
				}
			}
			rs.Entities = append(rs.Entities, e)
		}
		if actions {
			for _, a := range lastAction {
				a.Name = a.Name[strings.IndexByte(a.Name, ':')+1:]
				rs.Actions = append(rs.Actions, a)
			}
			sort.Slice(rs.Actions, func(i, j int) bool { return rs.Actions[i].Name < rs.Actions[j].Name })
		}
		// Entities that used the service first, most recent first; then by name.
		sort.SliceStable(rs.Entities, func(i, j int) bool {
			a, b := rs.Entities[i], rs.Entities[j]
			if !a.Last.Equal(b.Last) {
				return a.Last.After(b.Last)
			}
			return a.ARN < b.ARN
		})
		out = append(out, rs)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Namespace < out[j].Namespace })
	return out
}

func (s *Service) readReport(ctx context.Context, id string) (accessReport, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return accessReport{}, err
	}
	var rep accessReport
	err = s.cfg.Store.Read(ctx, func(tx store.Tx) error {
		return readRecord(ctx, tx, c.Account(), kindAccessReport, id, &rep, noSuchJob(id))
	})
	return rep, err
}

// GetServiceLastAccessedDetails returns a generated report, paged by service.
func (s *Service) GetServiceLastAccessedDetails(ctx context.Context, in *iamapi.GetServiceLastAccessedDetailsInput) (*iamapi.GetServiceLastAccessedDetailsOutput, error) {
	rep, err := s.readReport(ctx, in.JobId)
	if err != nil {
		return nil, err
	}
	page, truncated, next, err := pageSlice(rep.Services, in.Marker, maxItems(in.MaxItems))
	if err != nil {
		return nil, err
	}
	out := &iamapi.GetServiceLastAccessedDetailsOutput{JobStatus: "COMPLETED", JobType: rep.JobType, JobCreationDate: rep.Created,
		JobCompletionDate: rep.Completed, ServicesLastAccessed: make([]iamapi.ServiceLastAccessed, len(page)), IsTruncated: ptr(truncated), Marker: next}
	for i, sv := range page {
		name := serviceNames[sv.Namespace]
		if name == "" {
			name = sv.Namespace
		}
		o := iamapi.ServiceLastAccessed{ServiceName: name, ServiceNamespace: sv.Namespace, LastAuthenticated: sv.Last,
			LastAuthenticatedEntity: sv.LastEntity, LastAuthenticatedRegion: sv.LastRegion, TotalAuthenticatedEntities: ptr(sv.Total)}
		if rep.JobType == "ACTION_LEVEL" {
			o.TrackedActionsLastAccessed = make([]iamapi.TrackedActionLastAccessed, len(sv.Actions))
			for j, a := range sv.Actions {
				o.TrackedActionsLastAccessed[j] = iamapi.TrackedActionLastAccessed{ActionName: a.Name, LastAccessedEntity: a.Entity,
					LastAccessedTime: a.Last, LastAccessedRegion: a.Region}
			}
		}
		out.ServicesLastAccessed[i] = o
	}
	return out, nil
}

// GetServiceLastAccessedDetailsWithEntities lists the users and roles of a report for one
// service, with when each last tried to use it.
func (s *Service) GetServiceLastAccessedDetailsWithEntities(ctx context.Context, in *iamapi.GetServiceLastAccessedDetailsWithEntitiesInput) (*iamapi.GetServiceLastAccessedDetailsWithEntitiesOutput, error) {
	rep, err := s.readReport(ctx, in.JobId)
	if err != nil {
		return nil, err
	}
	var entities []reportEntity
	for _, sv := range rep.Services {
		if strings.EqualFold(sv.Namespace, in.ServiceNamespace) {
			entities = sv.Entities
		}
	}
	page, truncated, next, err := pageSlice(entities, in.Marker, maxItems(in.MaxItems))
	if err != nil {
		return nil, err
	}
	out := &iamapi.GetServiceLastAccessedDetailsWithEntitiesOutput{JobStatus: "COMPLETED", JobCreationDate: rep.Created,
		JobCompletionDate: rep.Completed, EntityDetailsList: make([]iamapi.EntityDetails, len(page)), IsTruncated: ptr(truncated), Marker: next}
	for i, e := range page {
		out.EntityDetailsList[i] = iamapi.EntityDetails{EntityInfo: &iamapi.EntityInfo{Arn: e.ARN, Name: e.Name, Type: e.Type, Id: e.ID, Path: e.Path},
			LastAuthenticated: e.Last}
	}
	return out, nil
}
