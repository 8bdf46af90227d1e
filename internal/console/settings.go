package console

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// Account settings: the account alias (the sign-in URL's name) and the password policy, each a
// form over its IAM calls.

func (c *Console) settingsRoutes(handle func(string, http.HandlerFunc)) {
	handle("GET /console/settings", c.signedIn(c.settings))
	handle("POST /console/settings/alias", c.signedIn(c.setAlias))
	handle("POST /console/settings/alias/delete", c.signedIn(c.deleteAlias))
	handle("POST /console/settings/password-policy", c.signedIn(c.updatePasswordPolicy))
	handle("POST /console/settings/password-policy/delete", c.signedIn(c.deletePasswordPolicy))
}

type settingsPage struct {
	Alias, SignInURL string
	AliasError       *apiError
	// Policy is the password policy; HasPolicy false when the account has none (IAM's
	// defaults apply).
	Policy      passwordPolicy
	HasPolicy   bool
	PolicyError *apiError
}

// passwordPolicy is the form's view of IAM's PasswordPolicy; ages and counts are "" when unset.
type passwordPolicy struct {
	MinLength                              string
	Symbols, Numbers, Upper, Lower, Change bool
	HardExpiry                             bool
	MaxAge, Reuse                          string
	ExpirePasswords                        bool
}

func (c *Console) settings(w http.ResponseWriter, r *http.Request, sess session) {
	c.showSettings(w, r, sess, nil)
}

func (c *Console) showSettings(w http.ResponseWriter, r *http.Request, sess session, actionErr *apiError) {
	client, ctx := c.api(r, sess)
	d := c.page(sess, "Account settings", "settings")
	p := settingsPage{SignInURL: c.signInURL(r, sess.account())}
	if out, err := client.ListAccountAliases(ctx, &iam.ListAccountAliasesInput{}); err != nil {
		p.AliasError = explain(err)
	} else if len(out.AccountAliases) > 0 {
		p.Alias = out.AccountAliases[0]
		p.SignInURL = c.signInURL(r, p.Alias)
	}
	out, err := client.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})
	switch e := explain(err); {
	case e == nil:
		pp := out.PasswordPolicy
		p.HasPolicy = true
		p.Policy = passwordPolicy{MinLength: strconv.Itoa(int(aws.ToInt32(pp.MinimumPasswordLength))), Symbols: pp.RequireSymbols,
			Numbers: pp.RequireNumbers, Upper: pp.RequireUppercaseCharacters, Lower: pp.RequireLowercaseCharacters,
			Change: pp.AllowUsersToChangePassword, HardExpiry: aws.ToBool(pp.HardExpiry), ExpirePasswords: pp.ExpirePasswords}
		if n := aws.ToInt32(pp.MaxPasswordAge); n > 0 {
			p.Policy.MaxAge = strconv.Itoa(int(n))
		}
		if n := aws.ToInt32(pp.PasswordReusePrevention); n > 0 {
			p.Policy.Reuse = strconv.Itoa(int(n))
		}
	case e.Code == "NoSuchEntity":
		// No policy: the form starts from the console's suggestion, AWS's "custom" defaults.
		p.Policy = passwordPolicy{MinLength: "8", Change: true}
	default:
		p.PolicyError = e
	}
	d.Page, d.Error = p, actionErr
	c.render(w, r, actionErr.status(), "settings.html", d)
}

// afterSettingsAction goes back to the settings page, or shows the call's error on it.
func (c *Console) afterSettingsAction(w http.ResponseWriter, r *http.Request, sess session, err error) {
	if err != nil {
		c.showSettings(w, r, sess, explain(err))
		return
	}
	http.Redirect(w, r, Prefix+"/settings", http.StatusSeeOther)
}

// setAlias sets the account alias (CreateAccountAlias; an account has at most one, so an alias
// in place is deleted first, as AWS's console replaces it).
func (c *Console) setAlias(w http.ResponseWriter, r *http.Request, sess session) {
	client, ctx := c.api(r, sess)
	alias := strings.TrimSpace(r.PostFormValue("alias"))
	err := func() error {
		out, err := client.ListAccountAliases(ctx, &iam.ListAccountAliasesInput{})
		if err != nil {
			return err
		}
		for _, old := range out.AccountAliases {
			if old == alias {
				return nil
			}
		}
		if _, err := client.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String(alias)}); !isCode(err, "LimitExceeded") {
			return err
		}
		for _, old := range out.AccountAliases {
			if _, err := client.DeleteAccountAlias(ctx, &iam.DeleteAccountAliasInput{AccountAlias: aws.String(old)}); err != nil {
				return err
			}
		}
		_, err = client.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String(alias)})
		return err
	}()
	c.afterSettingsAction(w, r, sess, err)
}

// deleteAlias deletes the account alias (DeleteAccountAlias).
func (c *Console) deleteAlias(w http.ResponseWriter, r *http.Request, sess session) {
	client, ctx := c.api(r, sess)
	_, err := client.DeleteAccountAlias(ctx, &iam.DeleteAccountAliasInput{AccountAlias: aws.String(r.PostFormValue("alias"))})
	c.afterSettingsAction(w, r, sess, err)
}

// updatePasswordPolicy sets the password policy (UpdateAccountPasswordPolicy): IAM checks the
// numbers and answers in its words.
func (c *Console) updatePasswordPolicy(w http.ResponseWriter, r *http.Request, sess session) {
	client, ctx := c.api(r, sess)
	in := &iam.UpdateAccountPasswordPolicyInput{
		RequireSymbols: r.PostFormValue("symbols") != "", RequireNumbers: r.PostFormValue("numbers") != "",
		RequireUppercaseCharacters: r.PostFormValue("upper") != "", RequireLowercaseCharacters: r.PostFormValue("lower") != "",
		AllowUsersToChangePassword: r.PostFormValue("change") != "", HardExpiry: aws.Bool(r.PostFormValue("hardExpiry") != "")}
	for field, dst := range map[string]**int32{"minLength": &in.MinimumPasswordLength, "maxAge": &in.MaxPasswordAge, "reuse": &in.PasswordReusePrevention} {
		v := strings.TrimSpace(r.PostFormValue(field))
		if v == "" {
			continue
		}
		n, err := strconv.ParseInt(v, 10, 32)
		if err != nil {
			c.showSettings(w, r, sess, &apiError{Code: "ValidationError", Message: "Enter a whole number for " + field + "."})
			return
		}
		*dst = aws.Int32(int32(n))
	}
	_, err := client.UpdateAccountPasswordPolicy(ctx, in)
	c.afterSettingsAction(w, r, sess, err)
}

// deletePasswordPolicy removes the password policy (DeleteAccountPasswordPolicy).
func (c *Console) deletePasswordPolicy(w http.ResponseWriter, r *http.Request, sess session) {
	client, ctx := c.api(r, sess)
	_, err := client.DeleteAccountPasswordPolicy(ctx, &iam.DeleteAccountPasswordPolicyInput{})
	c.afterSettingsAction(w, r, sess, err)
}
