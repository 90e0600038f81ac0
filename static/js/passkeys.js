// Passkeys (WebAuthn): register one on the account's "Second factor" page, or use one at the
// log-in's second step. The server sends py_webauthn's JSON options and checks the response.
(function () {
  "use strict";

  function toBytes(value) {
    var base64 = value.replace(/-/g, "+").replace(/_/g, "/");
    var padded = base64 + "===".slice((base64.length + 3) % 4);
    var raw = atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var raw = "";
    for (var i = 0; i < bytes.length; i++) { raw += String.fromCharCode(bytes[i]); }
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function creationOptions(json) {
    var o = Object.assign({}, json);
    o.challenge = toBytes(json.challenge);
    o.user = Object.assign({}, json.user, { id: toBytes(json.user.id) });
    o.excludeCredentials = (json.excludeCredentials || []).map(function (c) {
      return Object.assign({}, c, { id: toBytes(c.id) });
    });
    return o;
  }

  function requestOptions(json) {
    var o = Object.assign({}, json);
    o.challenge = toBytes(json.challenge);
    o.allowCredentials = (json.allowCredentials || []).map(function (c) {
      return Object.assign({}, c, { id: toBytes(c.id) });
    });
    return o;
  }

  function credentialJSON(credential) {
    if (typeof credential.toJSON === "function") { return credential.toJSON(); }
    var r = credential.response;
    var response = { clientDataJSON: toBase64url(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = toBase64url(r.attestationObject);
      response.transports = typeof r.getTransports === "function" ? r.getTransports() : [];
    } else {
      response.authenticatorData = toBase64url(r.authenticatorData);
      response.signature = toBase64url(r.signature);
      if (r.userHandle) { response.userHandle = toBase64url(r.userHandle); }
    }
    return { id: credential.id, rawId: toBase64url(credential.rawId), type: credential.type,
             response: response, clientExtensionResults: credential.getClientExtensionResults() };
  }

  function post(url, csrf, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body || {})
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          var error = new Error((data.error && data.error.message) || "The server refused the passkey.");
          error.redirect = data.error && data.error.redirect;
          throw error;
        }
        return data;
      });
    });
  }

  function showError(box, error) {
    if (error && error.name === "NotAllowedError") {
      box.textContent = "The passkey request was cancelled or timed out.";
    } else {
      box.textContent = (error && error.message) || "Something went wrong with the passkey.";
    }
    box.classList.remove("d-none");
    if (error && error.redirect) { window.setTimeout(function () { window.location.assign(error.redirect); }, 1500); }
  }

  function supported() { return !!(window.PublicKeyCredential && navigator.credentials); }

  var register = document.getElementById("passkey-register");
  if (register) {
    var addButton = document.getElementById("passkey-add");
    if (!supported()) {
      addButton.disabled = true;
      document.getElementById("passkey-unsupported").classList.remove("d-none");
    }
    addButton.addEventListener("click", function () {
      var box = document.getElementById("passkey-error");
      box.classList.add("d-none");
      var csrf = register.dataset.csrf;
      post(register.dataset.optionsUrl, csrf).then(function (options) {
        return navigator.credentials.create({ publicKey: creationOptions(options) });
      }).then(function (credential) {
        var name = document.getElementById("passkey-name").value;
        return post(register.dataset.registerUrl, csrf, { credential: credentialJSON(credential), name: name });
      }).then(function (result) {
        window.location.assign(result.redirect);
      }).catch(function (error) { showError(box, error); });
    });
  }

  var login = document.getElementById("passkey-login");
  if (login) {
    var useButton = document.getElementById("passkey-use");
    if (!supported()) { useButton.disabled = true; }
    useButton.addEventListener("click", function () {
      var box = document.getElementById("passkey-error");
      box.classList.add("d-none");
      var csrf = login.dataset.csrf;
      post(login.dataset.optionsUrl, csrf).then(function (options) {
        return navigator.credentials.get({ publicKey: requestOptions(options) });
      }).then(function (credential) {
        return post(login.dataset.verifyUrl, csrf, { credential: credentialJSON(credential) });
      }).then(function (result) {
        window.location.assign(result.redirect);
      }).catch(function (error) { showError(box, error); });
    });
  }
})();
