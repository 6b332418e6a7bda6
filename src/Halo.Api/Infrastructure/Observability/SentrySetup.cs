using System.Text.RegularExpressions;

namespace Halo.Api.Infrastructure.Observability;

/// <summary>
/// Error reporting to Sentry, on only when <c>SENTRY_DSN</c> (or <c>Sentry:Dsn</c>) is set. Halo handles reporters'
/// positions, e-mail addresses and client addresses: none of them may leave with an event. So no default PII, no request
/// bodies, cookies, headers or query strings (positions travel in query strings), no breadcrumb data, and e-mail
/// addresses, IP addresses and coordinate-like numbers masked in every message left.
/// </summary>
public static partial class SentrySetup
{
    public static WebApplicationBuilder AddSentryWhenConfigured(this WebApplicationBuilder builder)
    {
        var dsn = builder.Configuration["SENTRY_DSN"] is { Length: > 0 } d ? d : builder.Configuration["Sentry:Dsn"];
        if (string.IsNullOrWhiteSpace(dsn)) return builder;
        builder.WebHost.UseSentry(o =>
        {
            o.Dsn = dsn;
            o.Environment ??= builder.Environment.EnvironmentName;
            o.TracesSampleRate ??= 0.1;
            o.SendDefaultPii = false;
            o.MaxRequestBodySize = Sentry.Extensibility.RequestSize.None;
            // Outgoing HTTP failures carry the called URL (a geocoding query holds an address).
            o.CaptureFailedRequests = false;
            o.AutoSessionTracking = false;
            o.SetBeforeSend((e, _) => Scrub(e));
            o.SetBeforeSendTransaction((t, _) => Scrub(t));
            o.SetBeforeBreadcrumb((b, _) => Scrub(b));
        });
        return builder;
    }

    public static SentryEvent Scrub(SentryEvent e)
    {
        ScrubRequest(e.Request);
        e.User = new SentryUser();
        e.ServerName = null;
        if (e.Message is { } m)
        {
            m.Message = Mask(m.Message);
            m.Formatted = Mask(m.Formatted);
            m.Params = null;
        }
        foreach (var x in e.SentryExceptions ?? []) x.Value = Mask(x.Value);
        foreach (var key in e.Extra.Keys.ToList()) e.SetExtra(key, e.Extra[key] is string s ? Mask(s) : "[removed]");
        // Structured log values arrive as tags.
        foreach (var (key, value) in e.Tags.ToList()) e.SetTag(key, Mask(value) ?? "");
        return e;
    }

    public static SentryTransaction Scrub(SentryTransaction t)
    {
        ScrubRequest(t.Request);
        t.User = new SentryUser();
        foreach (var (key, value) in t.Tags.ToList()) t.SetTag(key, Mask(value) ?? "");
        return t;
    }

    public static Breadcrumb? Scrub(Breadcrumb b) =>
        new(Mask(b.Message) ?? "", b.Type ?? "default", data: null, category: b.Category, level: b.Level);

    private static void ScrubRequest(SentryRequest r)
    {
        if (r.Url is { } url)
        {
            var q = url.IndexOf('?', StringComparison.Ordinal);
            r.Url = q >= 0 ? url[..q] : url;
        }
        r.QueryString = null;
        r.Data = null;
        r.Cookies = null;
        r.Headers.Clear();
        r.Env.Clear();
        r.Other.Clear();
    }

    /// <summary>
    /// Drops query strings (positions and searches travel in them, also URL-encoded) and masks e-mail addresses, IPv4/IPv6
    /// addresses and decimals with four or more decimals (coordinates).
    /// </summary>
    public static string? Mask(string? text)
    {
        if (string.IsNullOrEmpty(text)) return text;
        text = QueryString().Replace(text, "?[query]");
        text = Email().Replace(text, "[email]");
        text = IPv6().Replace(text, "[ip]");
        text = IPv4().Replace(text, "[ip]");
        return Coordinate().Replace(text, "[number]");
    }

    [GeneratedRegex(@"(?<=[\w/])\?[^\s""'<>]+")]
    private static partial Regex QueryString();

    [GeneratedRegex(@"[^\s@<>()""',;]+@[^\s@<>()""',;]+\.[A-Za-z]{2,}")]
    private static partial Regex Email();

    [GeneratedRegex(@"\b\d{1,3}(?:\.\d{1,3}){3}\b")]
    private static partial Regex IPv4();

    // Four or more groups, or a "::" contraction (an IPv4 tail allowed): never a time of day (12:30:01).
    [GeneratedRegex(@"(?<![\w:])(?:(?:[0-9A-Fa-f]{1,4}:){3,7}[0-9A-Fa-f]{1,4}|(?:[0-9A-Fa-f]{1,4}:)*[0-9A-Fa-f]{0,4}::(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4})*)?(?:\.\d{1,3}){0,3})(?![\w:])")]
    private static partial Regex IPv6();

    [GeneratedRegex(@"-?\d{1,3}[.,]\d{4,}")]
    private static partial Regex Coordinate();
}
