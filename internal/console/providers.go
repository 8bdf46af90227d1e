package console

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// Identity providers (OIDC and SAML) and instance profiles: lists, creation, details, deletion,
// and an instance profile's role.

func (c *Console) providerRoutes(handle func(string, http.HandlerFunc)) {
	handle("GET /console/providers", c.signedIn(c.providers))
	handle("POST /console/providers/oidc", c.signedIn(c.createOIDC))
	handle("POST /console/providers/saml", c.signedIn(c.createSAML))
	handle("GET /console/provider", c.signedIn(c.provider))
	handle("POST /console/provider/delete", c.signedIn(c.deleteProvider))
	handle("GET /console/instance-profiles", c.signedIn(c.instanceProfiles))
	handle("POST /console/instance-profiles", c.signedIn(c.createInstanceProfile))
	handle("GET /console/instance-profiles/{name}", c.signedIn(c.instanceProfile))
	handle("POST /console/instance-profiles/{name}/roles/add", c.signedIn(c.addProfileRole))
	handle("POST /console/instance-profiles/{name}/roles/remove", c.signedIn(c.removeProfileRole))
	handle("POST /console/instance-profiles/{name}/delete", c.signedIn(c.deleteInstanceProfile))
}

type providerRow struct {
	Kind, ARN, Name string
	Created         time.Time
}

type providersPage struct {
	Providers []providerRow
	OIDCError *apiError
	SAMLError *apiError
	// The creation forms' values, kept when a creation fails.
	URL, ClientIDs, Thumbprints, SAMLName, Metadata string
}

// providerName is the name part of a provider's ARN (the OIDC URL's host and path, the SAML
// provider's name).
func providerName(arn string) string {
	if i := strings.Index(arn, "-provider/"); i >= 0 {
		return arn[i+len("-provider/"):]
	}
	return arn
}

func providerURL(arn string) string { return Prefix + "/provider?arn=" + url.QueryEscape(arn) }

func (c *Console) providers(w http.ResponseWriter, r *http.Request, sess session) {
	c.showProviders(w, r, sess, providersPage{}, nil)
}

func (c *Console) showProviders(w http.ResponseWriter, r *http.Request, sess session, p providersPage, actionErr *apiError) {
	client, ctx := c.api(r, sess)
	d := c.page(sess, "Identity providers", "providers")
	if out, err := client.ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{}); err != nil {
		p.OIDCError = explain(err)
	} else {
		for _, x := range out.OpenIDConnectProviderList {
			a := aws.ToString(x.Arn)
			p.Providers = append(p.Providers, providerRow{Kind: "OpenID Connect", ARN: a, Name: providerName(a)})
		}
	}
	if out, err := client.ListSAMLProviders(ctx, &iam.ListSAMLProvidersInput{}); err != nil {
		p.SAMLError = explain(err)
	} else {
		for _, x := range out.SAMLProviderList {
			a := aws.ToString(x.Arn)
			p.Providers = append(p.Providers, providerRow{Kind: "SAML", ARN: a, Name: providerName(a), Created: aws.ToTime(x.CreateDate)})
		}
	}
	d.Page, d.Error = p, actionErr
	status := actionErr.status()
	if actionErr == nil && p.OIDCError != nil && p.SAMLError != nil {
		status = p.OIDCError.status()
	}
	c.render(w, r, status, "providers.html", d)
}

// createOIDC adds an OpenID Connect provider (CreateOpenIDConnectProvider); thumbprints are
// optional, as IAM now takes them.
func (c *Console) createOIDC(w http.ResponseWriter, r *http.Request, sess session) {
	client, ctx := c.api(r, sess)
	f := providersPage{URL: strings.TrimSpace(r.PostFormValue("url")), ClientIDs: r.PostFormValue("clientIds"), Thumbprints: r.PostFormValue("thumbprints")}
	out, err := client.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String(f.URL),
		ClientIDList: splitList(f.ClientIDs), ThumbprintList: splitList(f.Thumbprints)})
	if err != nil {
		c.showProviders(w, r, sess, f, explain(err))
		return
	}
	http.Redirect(w, r, providerURL(aws.ToString(out.OpenIDConnectProviderArn)), http.StatusSeeOther)
}

// createSAML adds a SAML provider from its IdP's metadata document (CreateSAMLProvider).
func (c *Console) createSAML(w http.ResponseWriter, r *http.Request, sess session) {
	client, ctx := c.api(r, sess)
	f := providersPage{SAMLName: strings.TrimSpace(r.PostFormValue("name")), Metadata: r.PostFormValue("metadata")}
	out, err := client.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{Name: aws.String(f.SAMLName), SAMLMetadataDocument: aws.String(f.Metadata)})
	if err != nil {
		c.showProviders(w, r, sess, f, explain(err))
		return
	}
	http.Redirect(w, r, providerURL(aws.ToString(out.SAMLProviderArn)), http.StatusSeeOther)
}

type providerPage struct {
	providerRow
	SAML bool
	// OIDC: the URL, audiences and thumbprints; SAML: the metadata and its validity.
	URL                    string
	ClientIDs, Thumbprints []string
	Metadata               string
	ValidUntil             time.Time
	Tags                   []tagRow
}

// provider shows one provider (GetOpenIDConnectProvider or GetSAMLProvider, as its ARN says).
func (c *Console) provider(w http.ResponseWriter, r *http.Request, sess session) {
	c.showProvider(w, r, sess, nil)
}

func (c *Console) showProvider(w http.ResponseWriter, r *http.Request, sess session, actionErr *apiError) {
	client, ctx := c.api(r, sess)
	arn := r.URL.Query().Get("arn")
	if arn == "" {
		arn = r.PostFormValue("arn")
	}
	p := providerPage{providerRow: providerRow{ARN: arn, Name: providerName(arn)}, SAML: strings.Contains(arn, ":saml-provider/")}
	d := c.page(sess, "Identity provider "+p.Name, "providers")
	var err error
	if p.SAML {
		p.Kind = "SAML"
		var out *iam.GetSAMLProviderOutput
		if out, err = client.GetSAMLProvider(ctx, &iam.GetSAMLProviderInput{SAMLProviderArn: aws.String(arn)}); err == nil {
			p.Metadata, p.Created, p.ValidUntil = aws.ToString(out.SAMLMetadataDocument), aws.ToTime(out.CreateDate), aws.ToTime(out.ValidUntil)
			for _, t := range out.Tags {
				p.Tags = append(p.Tags, tagRow{Key: aws.ToString(t.Key), Value: aws.ToString(t.Value)})
			}
		}
	} else {
		p.Kind = "OpenID Connect"
		var out *iam.GetOpenIDConnectProviderOutput
		if out, err = client.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: aws.String(arn)}); err == nil {
			p.URL, p.ClientIDs, p.Thumbprints, p.Created = aws.ToString(out.Url), out.ClientIDList, out.ThumbprintList, aws.ToTime(out.CreateDate)
			for _, t := range out.Tags {
				p.Tags = append(p.Tags, tagRow{Key: aws.ToString(t.Key), Value: aws.ToString(t.Value)})
			}
		}
	}
	d.Error = explain(err)
	if actionErr != nil {
		d.Error = actionErr
	}
	d.Page = p
	c.render(w, r, d.Error.status(), "provider.html", d)
}

// deleteProvider deletes a provider (DeleteOpenIDConnectProvider or DeleteSAMLProvider).
func (c *Console) deleteProvider(w http.ResponseWriter, r *http.Request, sess session) {
	client, ctx := c.api(r, sess)
	arn := aws.String(r.PostFormValue("arn"))
	var err error
	if strings.Contains(*arn, ":saml-provider/") {
		_, err = client.DeleteSAMLProvider(ctx, &iam.DeleteSAMLProviderInput{SAMLProviderArn: arn})
	} else {
		_, err = client.DeleteOpenIDConnectProvider(ctx, &iam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: arn})
	}
	if err != nil {
		c.showProvider(w, r, sess, explain(err))
		return
	}
	http.Redirect(w, r, Prefix+"/providers", http.StatusSeeOther)
}

type profileRow struct {
	Name, Path, ARN string
	Roles           []string
	Created         time.Time
}

type profilesPage struct {
	Marker, Next string
	Profiles     []profileRow
	Name, Path   string
}

// instanceProfiles lists the instance profiles (ListInstanceProfiles, a page at a time).
func (c *Console) instanceProfiles(w http.ResponseWriter, r *http.Request, sess session) {
	c.showInstanceProfiles(w, r, sess, profilesPage{}, nil)
}

func (c *Console) showInstanceProfiles(w http.ResponseWriter, r *http.Request, sess session, p profilesPage, actionErr *apiError) {
	client, ctx := c.api(r, sess)
	d := c.page(sess, "Instance profiles", "profiles")
	p.Marker = r.URL.Query().Get("marker")
	out, err := client.ListInstanceProfiles(ctx, &iam.ListInstanceProfilesInput{MaxItems: aws.Int32(pageSize), Marker: optional(p.Marker)})
	if err != nil {
		d.Error = explain(err)
	} else {
		for _, x := range out.InstanceProfiles {
			row := profileRow{Name: aws.ToString(x.InstanceProfileName), Path: aws.ToString(x.Path), ARN: aws.ToString(x.Arn), Created: aws.ToTime(x.CreateDate)}
			for _, role := range x.Roles {
				row.Roles = append(row.Roles, aws.ToString(role.RoleName))
			}
			p.Profiles = append(p.Profiles, row)
		}
		if out.IsTruncated {
			p.Next = aws.ToString(out.Marker)
		}
	}
	if actionErr != nil {
		d.Error = actionErr
	}
	d.Page = p
	c.render(w, r, d.Error.status(), "profiles.html", d)
}

// createInstanceProfile creates one (CreateInstanceProfile) and opens it.
func (c *Console) createInstanceProfile(w http.ResponseWriter, r *http.Request, sess session) {
	client, ctx := c.api(r, sess)
	f := profilesPage{Name: strings.TrimSpace(r.PostFormValue("name")), Path: strings.TrimSpace(r.PostFormValue("path"))}
	_, err := client.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String(f.Name), Path: optional(f.Path)})
	if err != nil {
		c.showInstanceProfiles(w, r, sess, f, explain(err))
		return
	}
	http.Redirect(w, r, entityURL("instance-profiles", f.Name), http.StatusSeeOther)
}

// instanceProfile shows one instance profile and its role (GetInstanceProfile).
func (c *Console) instanceProfile(w http.ResponseWriter, r *http.Request, sess session) {
	c.showInstanceProfile(w, r, sess, nil)
}

func (c *Console) showInstanceProfile(w http.ResponseWriter, r *http.Request, sess session, actionErr *apiError) {
	client, ctx := c.api(r, sess)
	name := r.PathValue("name")
	d := c.page(sess, "Instance profile "+name, "profiles")
	p := profileRow{Name: name}
	out, err := client.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String(name)})
	if err != nil {
		d.Error = explain(err)
	} else {
		x := out.InstanceProfile
		p = profileRow{Name: aws.ToString(x.InstanceProfileName), Path: aws.ToString(x.Path), ARN: aws.ToString(x.Arn), Created: aws.ToTime(x.CreateDate)}
		for _, role := range x.Roles {
			p.Roles = append(p.Roles, aws.ToString(role.RoleName))
		}
	}
	if actionErr != nil {
		d.Error = actionErr
	}
	d.Page = p
	c.render(w, r, d.Error.status(), "profile.html", d)
}

// afterProfileAction goes back to the instance profile's page, or shows the error on it.
func (c *Console) afterProfileAction(w http.ResponseWriter, r *http.Request, sess session, err error) {
	if err != nil {
		c.showInstanceProfile(w, r, sess, explain(err))
		return
	}
	http.Redirect(w, r, entityURL("instance-profiles", r.PathValue("name")), http.StatusSeeOther)
}

// addProfileRole puts a role in the profile (AddRoleToInstanceProfile; IAM allows one).
func (c *Console) addProfileRole(w http.ResponseWriter, r *http.Request, sess session) {
	client, ctx := c.api(r, sess)
	_, err := client.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String(r.PathValue("name")),
		RoleName: aws.String(strings.TrimSpace(r.PostFormValue("role")))})
	c.afterProfileAction(w, r, sess, err)
}

// removeProfileRole takes the role out (RemoveRoleFromInstanceProfile).
func (c *Console) removeProfileRole(w http.ResponseWriter, r *http.Request, sess session) {
	client, ctx := c.api(r, sess)
	_, err := client.RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String(r.PathValue("name")),
		RoleName: aws.String(r.PostFormValue("role"))})
	c.afterProfileAction(w, r, sess, err)
}

// deleteInstanceProfile deletes the profile (DeleteInstanceProfile: IAM refuses one that still
// has a role, DeleteConflict, shown as it came).
func (c *Console) deleteInstanceProfile(w http.ResponseWriter, r *http.Request, sess session) {
	client, ctx := c.api(r, sess)
	_, err := client.DeleteInstanceProfile(ctx, &iam.DeleteInstanceProfileInput{InstanceProfileName: aws.String(r.PathValue("name"))})
	if err != nil {
		c.showInstanceProfile(w, r, sess, explain(err))
		return
	}
	http.Redirect(w, r, Prefix+"/instance-profiles", http.StatusSeeOther)
}
