using System.Security.Claims;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mnemo.Auth.Accounts;
using Mnemo.Auth.Audit;
using Mnemo.Auth.OAuth;
using Mnemo.Auth.OAuth.Clients;
using Mnemo.Auth.OAuth.Endpoints;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Mnemo.Auth.Pages;

/// <summary>
/// The authorization endpoint after OpenIddict validated the request (client, exact redirect URI,
/// PKCE S256, scopes, resource): sign-in, consent, and the code. Requests OpenIddict refused without a
/// trustworthy redirect URI arrive here as errors and get an HTML page — never a redirect to an
/// unvalidated URI (RFC 6749 §4.1.2.1, no open redirector). The consent form posts every
/// authorization parameter back, so a reloaded page still works, and carries an anti-forgery token
/// (CSRF on consent, RFC 6749 §10.12). Anti-forgery is checked by hand because a client may itself
/// POST an authorization request (form_post-style), which has no token.
/// </summary>
[IgnoreAntiforgeryToken]
internal sealed class AuthorizeModel(
    IOpenIddictApplicationManager applications,
    IOpenIddictAuthorizationManager authorizations,
    IAccountService accounts,
    IAntiforgery antiforgery,
    IOptions<MnemoAuthOptions> options,
    OAuthUrls urls,
    IAuditLog audit,
    ILogger<AuthorizeModel> logger) : SecurePageModel
{
    private const string ConsentField = "mnemo_consent";

    public string? ErrorCode { get; private set; }

    public string? ErrorDescription { get; private set; }

    public string ClientName { get; private set; } = "";

    public string ClientIdentity { get; private set; } = "";

    public bool IsVerified { get; private set; }

    public string RedirectHost { get; private set; } = "";

    public string UserName { get; private set; } = "";

    public IReadOnlyList<string> ScopeDescriptions { get; private set; } = [];

    public IReadOnlyList<KeyValuePair<string, string>> Parameters { get; private set; } = [];

    public Task<IActionResult> OnGetAsync() => HandleAsync();

    public Task<IActionResult> OnPostAsync() => HandleAsync();

    private async Task<IActionResult> HandleAsync()
    {
        var cancellationToken = HttpContext.RequestAborted;
        if (HttpContext.GetOpenIddictServerResponse() is { Error: { Length: > 0 } error } failed)
        {
            return ErrorPage(error, failed.ErrorDescription ?? "The request is invalid.");
        }

        var request = HttpContext.GetOpenIddictServerRequest();
        if (request is null)
        {
            return ErrorPage(Errors.InvalidRequest, "This page is opened by an app that connects to Mnemo; it cannot be used on its own.");
        }

        var application = await applications.FindByClientIdAsync(request.ClientId!, cancellationToken)
            ?? throw new InvalidOperationException("OpenIddict validated a client that does not exist.");
        var trust = await TrustAsync(application, request, cancellationToken);

        var isConsentPost = HttpMethods.IsPost(Request.Method) && Request.HasFormContentType && Request.Form.ContainsKey(ConsentField);
        var session = await HttpContext.AuthenticateAsync(OAuthServiceCollectionExtensions.SessionScheme);
        var subject = session.Principal?.FindFirst(MnemoClaimTypes.Subject)?.Value;
        var user = subject is null ? null : await accounts.FindAsync(subject, cancellationToken);
        if (user is null || user.Disabled || user.Id != subject || (request.HasPromptValue(PromptValues.Login) && !isConsentPost))
        {
            if (request.HasPromptValue(PromptValues.None))
            {
                return RefuseWithoutInteraction(trust, Errors.LoginRequired, "The user is not signed in.");
            }

            // Back here after signing in, with the same parameters (a POSTed request becomes a GET).
            var parameters = request.GetParameters()
                .Where(p => p.Key != OpenIddictConstants.Parameters.Prompt || !request.HasPromptValue(PromptValues.Login))
                .Select(p => KeyValuePair.Create(p.Key, (string?)p.Value.ToString()));
            var returnUrl = "/authorize" + QueryString.Create(parameters);
            return Redirect("/login?returnUrl=" + Uri.EscapeDataString(returnUrl));
        }

        var applicationId = await applications.GetIdAsync(application, cancellationToken);
        var scopes = GrantedScopes(request);

        if (isConsentPost)
        {
            if (!await antiforgery.IsRequestValidAsync(HttpContext))
            {
                return ErrorPage("invalid_request", "The consent form expired or did not come from this page. Go back to the app and connect again.");
            }

            if (!string.Equals(Request.Form[ConsentField], "allow", StringComparison.Ordinal))
            {
                AuthLog.ConsentDenied(logger, user.Id, request.ClientId!);
                audit.Record(AuditEventKind.ConsentDenied, user.Id, request.ClientId);
                return Refuse(Errors.AccessDenied, "The user denied access.");
            }

            var created = await authorizations.CreateAsync(
                principal: await BuildPrincipalAsync(user, application, request, scopes),
                subject: user.Id, client: applicationId!, type: AuthorizationTypes.Permanent, scopes: [.. scopes], cancellationToken);
            AuthLog.ConsentGranted(logger, user.Id, request.ClientId!, string.Join(' ', scopes));
            audit.Record(AuditEventKind.ConsentGranted, user.Id, request.ClientId, "scopes: " + string.Join(' ', scopes));
            return await IssueAsync(user, application, request, scopes, created);
        }

        // Consent is remembered per user + client + scopes: a reconnect asking for no more than was
        // granted goes straight through.
        if (!request.HasPromptValue(PromptValues.Consent))
        {
            await foreach (var existing in authorizations.FindAsync(user.Id, applicationId!, Statuses.Valid, AuthorizationTypes.Permanent, [.. scopes], cancellationToken))
            {
                return await IssueAsync(user, application, request, scopes, existing);
            }
        }

        if (request.HasPromptValue(PromptValues.None))
        {
            return RefuseWithoutInteraction(trust, Errors.ConsentRequired, "The user has not approved this app yet.");
        }

        await ShowConsentAsync(user, application, request, scopes, trust);
        return Page();
    }

    /// <summary>Requested scopes, or <c>Mnemo:Auth:DefaultScopes</c> when the client asked for none; always with offline_access so connectors get a refresh token.</summary>
    private List<string> GrantedScopes(OpenIddictRequest request)
    {
        var requested = request.GetScopes().Where(s => options.Value.ScopeNames.Contains(s)).ToList();
        if (requested.Count == 0)
        {
            requested = [.. options.Value.EffectiveDefaultScopes];
        }

        requested.Add(Scopes.OfflineAccess);
        return [.. requested.Distinct(StringComparer.Ordinal)];
    }

    private async Task<IActionResult> IssueAsync(UserAccount user, object application, OpenIddictRequest request, List<string> scopes, object authorization)
    {
        var principal = await BuildPrincipalAsync(user, application, request, scopes);
        principal.SetAuthorizationId(await authorizations.GetIdAsync(authorization, HttpContext.RequestAborted));
        return SignIn(principal, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private async Task<ClaimsPrincipal> BuildPrincipalAsync(UserAccount user, object application, OpenIddictRequest request, List<string> scopes)
    {
        var identity = new ClaimsIdentity("Mnemo.OAuth", Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, user.Id)
            .SetClaim(Claims.Name, user.UserName)
            .SetClaim(MnemoClaimTypes.App, await applications.GetDisplayNameAsync(application, HttpContext.RequestAborted));
        identity.SetScopes(scopes);
        // RFC 8707: the token's audience is the resource asked for (checked by ValidateResourceIndicator)
        // or, when none was named, the MCP endpoint.
        var resources = request.GetResources();
        identity.SetResources(resources.IsDefaultOrEmpty ? [urls.Resource(HttpContext)] : resources);
        identity.SetDestinations(AuthorizationClaims.For);
        return new ClaimsPrincipal(identity);
    }

    private async Task<ClientTrust> TrustAsync(object application, OpenIddictRequest request, CancellationToken cancellationToken)
    {
        var properties = await applications.GetPropertiesAsync(application, cancellationToken);
        var origin = properties.TryGetValue(OAuthClientRegistry.OriginProperty, out var o) ? o.GetString() : null;
        return ClientTrust.Of(origin, request.ClientId!, new Uri(request.RedirectUri!, UriKind.Absolute));
    }

    private async Task ShowConsentAsync(UserAccount user, object application, OpenIddictRequest request, List<string> scopes, ClientTrust trust)
    {
        var clientId = request.ClientId!;
        // Cleaned again when shown: names stored before the cleaning rules existed must not spoof either.
        ClientName = OAuthClientRegistry.CleanName(await applications.GetDisplayNameAsync(application, HttpContext.RequestAborted) ?? clientId);
        ClientIdentity = trust.Label;
        IsVerified = trust.IsVerified;

        var redirect = new Uri(request.RedirectUri!, UriKind.Absolute);
        RedirectHost = HostDisplay.Redirect(redirect);
        // ASCII only (punycode host): it goes into the Content-Security-Policy header, where a Unicode host is invalid.
        FormActionTarget = redirect.Scheme is "http" or "https"
            ? HostDisplay.AsciiOrigin(redirect)
            : redirect.Scheme + ":";
        UserName = user.UserName;
        ScopeDescriptions = [.. scopes.Select(s => s == Scopes.OfflineAccess
            ? "stay connected until you disconnect it"
            : options.Value.Scopes.FirstOrDefault(known => known.Name == s)?.Description ?? s)];
        Parameters = [.. request.GetParameters()
            .Where(p => p.Key != ConsentField && !p.Key.StartsWith("__", StringComparison.Ordinal))
            .Select(p => KeyValuePair.Create(p.Key, p.Value.ToString() ?? ""))];
    }

    /// <summary>
    /// An error before the person has answered anything (prompt=none). Sent back to the redirect URI only when Mnemo can
    /// vouch for it: otherwise anyone could register https://evil.example by DCR and use Mnemo to bounce a browser
    /// there without a page in between (RFC 9700 §4.11.2). After the person answered (Deny), redirecting is expected.
    /// </summary>
    private IActionResult RefuseWithoutInteraction(ClientTrust trust, string error, string description) =>
        trust.IsVerified ? Refuse(error, description) : ErrorPage(error, description);

    private IActionResult Refuse(string error, string description) =>
        Forbid(
            new AuthenticationProperties(new Dictionary<string, string?>
            {
                [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
                [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
            }),
            OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);

    private PageResult ErrorPage(string error, string description)
    {
        AuthLog.RequestRefused(logger, error, description);
        ErrorCode = error;
        ErrorDescription = description;
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }
}
