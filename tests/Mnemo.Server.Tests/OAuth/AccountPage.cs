using System.Net;

namespace Mnemo.Server.Tests.OAuth;

/// <summary>What a person does on /account, through a <see cref="BrowserSession"/>: each form is posted with the page's anti-forgery token.</summary>
public static class AccountPage
{
    public const string AntiForgeryField = "__mnemo_csrf";

    /// <summary>Signs in on /login in <paramref name="browser"/> and asserts the redirect.</summary>
    public static async Task SignInAsync(BrowserSession browser, string userName, string password = OAuthTestServer.Password)
    {
        using var page = await browser.GetAsync("/login");
        var form = BrowserSession.FormFields(await page.Content.ReadAsStringAsync());
        form["userName"] = userName;
        form["password"] = password;
        using var response = await browser.PostFormAsync("/login", form);
        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
    }

    /// <summary>Opens /account (asserting 200) and posts one of its forms.</summary>
    public static async Task<HttpResponseMessage> PostAsync(BrowserSession browser, string handler, Dictionary<string, string>? fields = null)
    {
        using var page = await browser.GetAsync("/account");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var form = new Dictionary<string, string>(fields ?? [])
        {
            [AntiForgeryField] = BrowserSession.FormFields(await page.Content.ReadAsStringAsync())[AntiForgeryField],
        };
        return await browser.PostFormAsync("/account?handler=" + handler, form);
    }

    public static Task<HttpResponseMessage> ChangePasswordAsync(BrowserSession browser, string current, string next) =>
        PostAsync(browser, "ChangePassword", new Dictionary<string, string> { ["currentPassword"] = current, ["newPassword"] = next });

    /// <summary>The session cookie as it is now, to replay later from another cookie jar.</summary>
    public static Cookie SessionCookie(BrowserSession browser) =>
        browser.Cookies.GetAllCookies().Single(c => c.Name == "mnemo_session");

    /// <summary>A browser holding only <paramref name="session"/> (a copied or stolen cookie) asks for /account: 200 if the session is accepted.</summary>
    public static async Task<HttpStatusCode> ReplayAsync(Uri server, Cookie session)
    {
        var jar = new CookieContainer();
        jar.Add(new Cookie(session.Name, session.Value, "/", server.Host));
        using var replay = new BrowserSession(server, cookies: jar);
        using var response = await replay.GetAsync("/account");
        return response.StatusCode;
    }
}
