package console

import (
	"encoding/base64"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// The actions of a user's page. Each is one or two API calls with the session's credentials;
// success goes back to the page (a redirect, so a reload does not repeat it), an error is shown
// on it as IAM answered.

// policyARN turns what a form names into a managed policy's ARN: an ARN as it is; a name (with
// its path, e.g. service-role/AmazonEC2RoleforSSM) is the account's customer managed policy
// when one exists, else AWS's.
func policyARN(sess session, name string) (arn string, fallback string) {
	name = strings.TrimSpace(name)
	if strings.HasPrefix(name, "arn:") {
		return name, ""
	}
	name = strings.Trim(name, "/")
	return "arn:aws:iam::" + sess.account() + ":policy/" + name, "arn:aws:iam::aws:policy/" + name
}

// addUserToGroup adds the user to a group (AddUserToGroup).
func (c *Console) addUserToGroup(w http.ResponseWriter, r *http.Request, sess session) {
	client, ctx := c.api(r, sess)
	_, err := client.AddUserToGroup(ctx, &iam.AddUserToGroupInput{UserName: aws.String(r.PathValue("name")),
		GroupName: aws.String(strings.TrimSpace(r.PostFormValue("group")))})
	c.afterUserAction(w, r, sess, err)
}

// removeUserFromGroup removes the user from a group (RemoveUserFromGroup).
func (c *Console) removeUserFromGroup(w http.ResponseWriter, r *http.Request, sess session) {
	client, ctx := c.api(r, sess)
	_, err := client.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{UserName: aws.String(r.PathValue("name")),
		GroupName: aws.String(r.PostFormValue("group"))})
	c.afterUserAction(w, r, sess, err)
}

// createUserKey creates an access key for the user (CreateAccessKey); the secret is shown once,
// as for a new user.
func (c *Console) createUserKey(w http.ResponseWriter, r *http.Request, sess session) {
	client, ctx := c.api(r, sess)
	k, err := client.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(r.PathValue("name"))})
	if err != nil {
		c.showUser(w, r, sess, explain(err))
		return
	}
	created := &createdCreds{UserName: aws.ToString(k.AccessKey.UserName), AccessKeyID: aws.ToString(k.AccessKey.AccessKeyId),
		SecretAccessKey: aws.ToString(k.AccessKey.SecretAccessKey), KeyOnly: true}
	c.sessions.update(sess.key, func(s *session) { s.created = created })
	http.Redirect(w, r, Prefix+"/users/~created", http.StatusSeeOther)
}

// setLoginProfile gives the user a console password or replaces it (CreateLoginProfile, or
// UpdateLoginProfile when there is one).
func (c *Console) setLoginProfile(w http.ResponseWriter, r *http.Request, sess session) {
	client, ctx := c.api(r, sess)
	user := aws.String(r.PathValue("name"))
	pw, reset := r.PostFormValue("password"), r.PostFormValue("reset") != ""
	if pw == "" {
		c.showUser(w, r, sess, &apiError{Code: "ValidationError", Message: "Enter the new console password."})
		return
	}
	_, err := client.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: user, Password: aws.String(pw), PasswordResetRequired: reset})
	if isCode(err, "EntityAlreadyExists") {
		_, err = client.UpdateLoginProfile(ctx, &iam.UpdateLoginProfileInput{UserName: user, Password: aws.String(pw), PasswordResetRequired: aws.Bool(reset)})
	}
	c.afterUserAction(w, r, sess, err)
}

// deleteLoginProfile removes the user's console access (DeleteLoginProfile).
func (c *Console) deleteLoginProfile(w http.ResponseWriter, r *http.Request, sess session) {
	client, ctx := c.api(r, sess)
	_, err := client.DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{UserName: aws.String(r.PathValue("name"))})
	c.afterUserAction(w, r, sess, err)
}

// mfaSetup is a virtual MFA device being assigned to a user.
type mfaSetup struct {
	User, Serial string
	QR           template.URL // the QR code as a data: URL (CSP img-src data:)
	Seed         string       // the Base32 secret, for typing into an app
}

// startMFA creates a virtual MFA device named as the user (CreateVirtualMFADevice) and shows its
// QR code and secret. A device of that name left unassigned by an abandoned setup is replaced
// (an assigned one cannot be deleted: DeleteConflict). Unlike AWS's console, which asks for a
// device name, this names it after the user: a second setup of the same user started elsewhere
// and not yet finished loses its device, and is told so when it tries to enable it.
func (c *Console) startMFA(w http.ResponseWriter, r *http.Request, sess session) {
	client, ctx := c.api(r, sess)
	user := r.PathValue("name")
	in := &iam.CreateVirtualMFADeviceInput{VirtualMFADeviceName: aws.String(user)}
	out, err := client.CreateVirtualMFADevice(ctx, in)
	if isCode(err, "EntityAlreadyExists") {
		serial := "arn:aws:iam::" + sess.account() + ":mfa/" + user
		if _, derr := client.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: aws.String(serial)}); derr == nil {
			out, err = client.CreateVirtualMFADevice(ctx, in)
		}
	}
	if err != nil {
		c.showUser(w, r, sess, explain(err))
		return
	}
	dev := out.VirtualMFADevice
	setup := &mfaSetup{User: user, Serial: aws.ToString(dev.SerialNumber), Seed: string(dev.Base32StringSeed),
		QR: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(dev.QRCodePNG))}
	c.sessions.update(sess.key, func(s *session) { s.mfa = setup })
	http.Redirect(w, r, Prefix+"/users/"+url.PathEscape(user)+"/mfa", http.StatusSeeOther)
}

type mfaSetupPage struct {
	*mfaSetup
}

// mfaForm shows the device being assigned: the QR code, the secret, two consecutive codes.
func (c *Console) mfaSetupForm(w http.ResponseWriter, r *http.Request, sess session) {
	c.showMFASetup(w, r, sess, http.StatusOK, nil)
}

func (c *Console) showMFASetup(w http.ResponseWriter, r *http.Request, sess session, status int, e *apiError) {
	user := r.PathValue("name")
	if sess.mfa == nil || sess.mfa.User != user {
		http.Redirect(w, r, Prefix+"/users/"+url.PathEscape(user), http.StatusSeeOther)
		return
	}
	d := c.page(sess, "Assign MFA device", "users")
	d.Page, d.Error = mfaSetupPage{sess.mfa}, e
	c.render(w, r, status, "mfasetup.html", d)
}

// enableMFA enables the device with two consecutive codes (EnableMFADevice).
func (c *Console) enableMFA(w http.ResponseWriter, r *http.Request, sess session) {
	user := r.PathValue("name")
	if sess.mfa == nil || sess.mfa.User != user {
		http.Redirect(w, r, Prefix+"/users/"+url.PathEscape(user), http.StatusSeeOther)
		return
	}
	client, ctx := c.api(r, sess)
	_, err := client.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String(user), SerialNumber: aws.String(sess.mfa.Serial),
		AuthenticationCode1: aws.String(strings.TrimSpace(r.PostFormValue("code1"))),
		AuthenticationCode2: aws.String(strings.TrimSpace(r.PostFormValue("code2")))})
	if err != nil {
		e := explain(err)
		c.showMFASetup(w, r, sess, e.status(), e)
		return
	}
	c.sessions.update(sess.key, func(s *session) { s.mfa = nil })
	http.Redirect(w, r, Prefix+"/users/"+url.PathEscape(user), http.StatusSeeOther)
}

// removeMFA deactivates a device (DeactivateMFADevice) and deletes it when it is virtual.
func (c *Console) removeMFA(w http.ResponseWriter, r *http.Request, sess session) {
	client, ctx := c.api(r, sess)
	serial := aws.String(r.PostFormValue("serial"))
	_, err := client.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{UserName: aws.String(r.PathValue("name")), SerialNumber: serial})
	if err == nil && strings.HasPrefix(aws.ToString(serial), "arn:") {
		_, err = client.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: serial})
	}
	c.afterUserAction(w, r, sess, err)
}

// tagUser adds or replaces a tag (TagUser).
func (c *Console) tagUser(w http.ResponseWriter, r *http.Request, sess session) {
	client, ctx := c.api(r, sess)
	_, err := client.TagUser(ctx, &iam.TagUserInput{UserName: aws.String(r.PathValue("name")),
		Tags: []types.Tag{{Key: aws.String(strings.TrimSpace(r.PostFormValue("key"))), Value: aws.String(r.PostFormValue("value"))}}})
	c.afterUserAction(w, r, sess, err)
}

// untagUser removes a tag (UntagUser).
func (c *Console) untagUser(w http.ResponseWriter, r *http.Request, sess session) {
	client, ctx := c.api(r, sess)
	_, err := client.UntagUser(ctx, &iam.UntagUserInput{UserName: aws.String(r.PathValue("name")), TagKeys: []string{r.PostFormValue("key")}})
	c.afterUserAction(w, r, sess, err)
}
