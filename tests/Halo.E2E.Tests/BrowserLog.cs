using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace Halo.E2E.Tests;

/// <summary>
/// What the browser said while a test ran (console messages, uncaught page errors, failed requests to the app, crashes),
/// so that a failing end-to-end test explains itself. Requests the test context blocks on purpose (anything off the
/// app's origin, such as map tiles) are counted, not listed.
/// </summary>
public sealed class BrowserLog
{
    private const int MaxEntries = 300;
    private readonly ConcurrentQueue<string> _entries = new();
    private readonly DateTime _start = DateTime.UtcNow;
    private readonly string _origin;
    private int _blocked, _dropped;

    private BrowserLog(string origin) => _origin = origin;

    public static BrowserLog Attach(IBrowserContext context, string origin)
    {
        var log = new BrowserLog(origin);
        context.Console += (_, m) => log.Add($"console.{m.Type}: {m.Text}");
        context.WebError += (_, e) => log.Add($"page error: {e.Error}");
        context.RequestFailed += (_, r) =>
        {
            if (r.Url.StartsWith(origin, StringComparison.Ordinal)) log.Add($"request failed: {r.Method} {r.Url} ({r.Failure})");
            else Interlocked.Increment(ref log._blocked);
        };
        context.Page += (_, p) => p.Crash += (_, _) => log.Add("the page crashed");
        return log;
    }

    private void Add(string entry)
    {
        _entries.Enqueue($"{(DateTime.UtcNow - _start).TotalSeconds,6:0.00} s  {entry}");
        while (_entries.Count > MaxEntries && _entries.TryDequeue(out _)) Interlocked.Increment(ref _dropped);
    }

    public override string ToString()
    {
        var lines = _entries.ToArray();
        var head = _dropped > 0 ? $"({_dropped} earlier entries dropped)\n" : "";
        var tail = _blocked > 0 ? $"\n({_blocked} requests off {_origin} blocked by the test context)" : "";
        return lines.Length == 0 && head.Length == 0 ? "(nothing)" + tail : head + string.Join('\n', lines) + tail;
    }
}

/// <summary>An end-to-end test failed: the original message, what the page showed, a screenshot and the browser's log.</summary>
public sealed class BrowserTestFailure(string message, Exception inner) : Exception(message, inner);
