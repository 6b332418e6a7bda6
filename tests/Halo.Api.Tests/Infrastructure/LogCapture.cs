using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Halo.Api.Tests.Infrastructure;

/// <summary>
/// A logger provider that keeps every entry the app's logging filters let through (add it to a factory's services), so
/// a test can count what one request logged.
/// </summary>
public sealed class LogCapture : ILoggerProvider, ISupportExternalScope
{
    // RequestId: from the request's logging scope, the trace_id its ProblemDetails names; null outside a request.
    public sealed record Entry(string Category, LogLevel Level, string Message, Exception? Exception, string? RequestId = null)
    {
        public override string ToString() => $"{Level} {Category}: {Message}{(Exception is null ? "" : " [" + Exception.GetType().Name + "]")}";
    }

    private readonly ConcurrentQueue<Entry> _entries = new();
    private IExternalScopeProvider? _scopes;

    public IReadOnlyList<Entry> Entries => [.. _entries];

    public void Clear() => _entries.Clear();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose() { }

    private string? RequestId()
    {
        string? id = null;
        _scopes?.ForEachScope((scope, _) =>
        {
            if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
                foreach (var (k, v) in pairs)
                    if (k == "RequestId") id = v?.ToString();
        }, (object?)null);
        return id;
    }

    private sealed class Logger(LogCapture owner, string category) : ILogger
    {
        // Never called while the factory holds the scopes (ISupportExternalScope): it pushes them itself.
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner._entries.Enqueue(new Entry(category, logLevel, formatter(state, exception), exception, owner.RequestId()));
    }
}

/// <summary>A factory whose app also logs into <see cref="Logs"/>.</summary>
public class LogCapturingApiFactory : HaloApiFactory
{
    public LogCapturingApiFactory(DbProvider provider, string? postgresDatabase = null) : base(provider, postgresDatabase: postgresDatabase)
    {
        // The shipped levels (appsettings.json), not the quiet test defaults: what an operator's log would show.
        With("Logging:LogLevel:Default", "Information");
        With("Logging:LogLevel:Microsoft.EntityFrameworkCore", "Warning");
        With("Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command", "Warning");
        With("Logging:LogLevel:Polly", "Error");
    }

    public LogCapture Logs { get; } = new();

    protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(s => Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions.AddSingleton<ILoggerProvider>(s, Logs));
    }
}
