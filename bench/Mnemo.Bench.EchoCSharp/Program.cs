using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.IdentityModel.Tokens;
using ModelContextProtocol.AspNetCore;
using Mnemo.Bench.EchoCSharp;

// The C# reference of `Mnemo.Bench floor`: what the official C# MCP SDK costs per call with nothing of Mnemo's
// behind it. Stateless Streamable HTTP, one echo tool, /mcp behind the stock JwtBearer handler validating an HS256
// token (key, issuer, audience, lifetime), Workstation GC, logging at Warning, as Mnemo runs.
//   dotnet bench/Mnemo.Bench.EchoCSharp/bin/Release/net10.0/Mnemo.Bench.EchoCSharp.dll
//       --port 5099 --signing-key BASE64 --issuer ISS --audience AUD
var settings = EchoSettings.Parse(args);
var builder = WebApplication.CreateBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.WebHost.UseUrls($"http://127.0.0.1:{settings.Port.ToString(CultureInfo.InvariantCulture)}");

builder.Services
    .AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
    .AddJwtBearer(options =>
    {
        options.MapInboundClaims = false;
        options.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = settings.Issuer,
            ValidAudience = settings.Audience,
            IssuerSigningKey = new SymmetricSecurityKey(settings.SigningKey),
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            ValidateIssuerSigningKey = true,
        };
    });
builder.Services.AddAuthorization();
// Something in the pipeline asks for Data Protection; keep its keys in memory instead of ~/.aspnet (a bench leaves nothing behind).
builder.Services.AddDataProtection().UseEphemeralDataProtectionProvider();
builder.Services
    .AddMcpServer()
    .WithHttpTransport(http => http.SessionMode = HttpServerSessionMode.Stateless)
    .WithTools<EchoTool>();

var app = builder.Build();
app.UseAuthentication();
app.UseAuthorization();
// Anonymous, for the bench to see the server is up.
app.MapGet("/health", () => Results.Text("ok", "text/plain", Encoding.UTF8));
app.MapMcp("/mcp").RequireAuthorization();
await app.RunAsync();
