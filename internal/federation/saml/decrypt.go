package saml

import (
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rsa"
	_ "crypto/sha1" // registers crypto.SHA1 for OAEP
	_ "crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"

	"github.com/beevik/etree"
)

// XML Encryption algorithms accepted. RSA PKCS#1 v1.5 key transport is refused (padding oracle).
const (
	algRSAOAEPMGF1P = "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"
	algRSAOAEP11    = "http://www.w3.org/2009/xmlenc11#rsa-oaep"
	algAES128CBC    = "http://www.w3.org/2001/04/xmlenc#aes128-cbc"
	algAES256CBC    = "http://www.w3.org/2001/04/xmlenc#aes256-cbc"
	algAES128GCM    = "http://www.w3.org/2009/xmlenc11#aes128-gcm"
	algAES256GCM    = "http://www.w3.org/2009/xmlenc11#aes256-gcm"
	algSHA1         = "http://www.w3.org/2000/09/xmldsig#sha1"
	algSHA256       = "http://www.w3.org/2001/04/xmlenc#sha256"
)

var errDecrypt = errors.New("decryption failed")

// decryptAssertion decrypts an EncryptedAssertion's EncryptedData with a key transported in an
// EncryptedKey (inside its KeyInfo or beside it) and returns the plaintext XML.
func decryptAssertion(ea *etree.Element, keys []*rsa.PrivateKey) ([]byte, error) {
	ed, err := child(ea, nsXMLEnc, "EncryptedData")
	if err != nil || ed == nil {
		return nil, errors.New("missing EncryptedData")
	}
	var eks []*etree.Element
	if ki, _ := child(ed, nsDSig, "KeyInfo"); ki != nil {
		eks = append(eks, children(ki, nsXMLEnc, "EncryptedKey")...)
	}
	eks = append(eks, children(ea, nsXMLEnc, "EncryptedKey")...)
	if len(eks) == 0 {
		return nil, errors.New("missing EncryptedKey")
	}
	var cek []byte
	for _, ek := range eks {
		for _, k := range keys {
			if cek, err = unwrapKey(ek, k); err == nil {
				break
			}
		}
		if cek != nil {
			break
		}
	}
	if cek == nil {
		return nil, errDecrypt
	}
	alg := algorithm(ed)
	ct, err := cipherValue(ed)
	if err != nil {
		return nil, err
	}
	switch alg {
	case algAES128GCM, algAES256GCM:
		if (alg == algAES128GCM) != (len(cek) == 16) || (alg == algAES256GCM) != (len(cek) == 32) {
			return nil, errDecrypt
		}
		blk, err := aes.NewCipher(cek)
		if err != nil {
			return nil, errDecrypt
		}
		gcm, err := cipher.NewGCM(blk)
		if err != nil || len(ct) < gcm.NonceSize()+gcm.Overhead() {
			return nil, errDecrypt
		}
		pt, err := gcm.Open(nil, ct[:gcm.NonceSize()], ct[gcm.NonceSize():], nil)
		if err != nil {
			return nil, errDecrypt
		}
		return pt, nil
	case algAES128CBC, algAES256CBC:
		if (alg == algAES128CBC) != (len(cek) == 16) || (alg == algAES256CBC) != (len(cek) == 32) {
			return nil, errDecrypt
		}
		blk, err := aes.NewCipher(cek)
		if err != nil || len(ct) < 2*aes.BlockSize || len(ct)%aes.BlockSize != 0 {
			return nil, errDecrypt
		}
		pt := make([]byte, len(ct)-aes.BlockSize)
		cipher.NewCBCDecrypter(blk, ct[:aes.BlockSize]).CryptBlocks(pt, ct[aes.BlockSize:])
		// XML Encryption's padding: the last byte says how many bytes to drop.
		pad := int(pt[len(pt)-1])
		if pad < 1 || pad > aes.BlockSize {
			return nil, errDecrypt
		}
		return pt[:len(pt)-pad], nil
	}
	return nil, errors.New("unsupported content encryption algorithm")
}

func unwrapKey(ek *etree.Element, k *rsa.PrivateKey) ([]byte, error) {
	em, _ := child(ek, nsXMLEnc, "EncryptionMethod")
	if em == nil {
		return nil, errDecrypt
	}
	// MGF1 uses SHA-1 (the default of both algorithms); the digest may be SHA-256.
	opts := &rsa.OAEPOptions{Hash: crypto.SHA1, MGFHash: crypto.SHA1}
	switch em.SelectAttrValue("Algorithm", "") {
	case algRSAOAEPMGF1P, algRSAOAEP11:
		if dm, _ := child(em, nsDSig, "DigestMethod"); dm != nil {
			switch dm.SelectAttrValue("Algorithm", "") {
			case algSHA1:
			case algSHA256:
				opts.Hash = crypto.SHA256
			default:
				return nil, errDecrypt
			}
		}
	default:
		return nil, errors.New("unsupported key transport algorithm")
	}
	ct, err := cipherValue(ek)
	if err != nil {
		return nil, err
	}
	return k.Decrypt(nil, ct, opts)
}

func algorithm(el *etree.Element) string {
	em, _ := child(el, nsXMLEnc, "EncryptionMethod")
	if em == nil {
		return ""
	}
	return em.SelectAttrValue("Algorithm", "")
}

func cipherValue(el *etree.Element) ([]byte, error) {
	cd, _ := child(el, nsXMLEnc, "CipherData")
	if cd == nil {
		return nil, errors.New("missing CipherData")
	}
	cv, _ := child(cd, nsXMLEnc, "CipherValue")
	if cv == nil {
		return nil, errors.New("missing CipherValue")
	}
	s, err := text(cv)
	if err != nil {
		return nil, err
	}
	return base64.StdEncoding.DecodeString(strings.Join(strings.Fields(s), ""))
}
