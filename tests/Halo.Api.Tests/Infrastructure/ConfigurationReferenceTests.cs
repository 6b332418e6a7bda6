using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Halo.Api.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Halo.Api.Tests.Infrastructure;

/// <summary>docs/configuration.md lists every bound setting with its real type and default.</summary>
public sealed partial class ConfigurationReferenceTests
{
    private static readonly string Doc = File.ReadAllText(Path.Combine(Cli.AppProcess.RepoRoot, "docs", "configuration.md"));

    /// <summary>Options classes: every type of the app with a <c>Section</c> constant.</summary>
    private static readonly List<(Type Type, string Section)> OptionsTypes = typeof(Program).Assembly.GetTypes()
        .Select(t => (t, t.GetField("Section", BindingFlags.Public | BindingFlags.Static)))
        .Where(x => x.Item2 is { IsLiteral: true } && x.Item2.FieldType == typeof(string) && x.t.GetConstructor(Type.EmptyTypes) is not null)
        .Select(x => (x.t, (string)x.Item2!.GetRawConstantValue()!)).ToList();

    [Fact]
    public void EveryOptionsClassBoundByTheAppHasASectionConstant()
    {
        IServiceCollection? captured = null;
        using var factory = new SqliteApiFactory();
        using var app = factory.WithWebHostBuilder(b => b.ConfigureServices(s => captured = s));
        app.CreateClient().Dispose();
        var bound = captured!.Select(d => d.ServiceType)
            .Where(t => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(IOptionsChangeTokenSource<>))
            .Select(t => t.GetGenericArguments()[0]).Where(t => t.Assembly == typeof(Program).Assembly).Distinct().ToList();
        Assert.NotEmpty(bound);
        Assert.All(bound, t => Assert.Contains(t, OptionsTypes.Select(o => o.Type)));
        Assert.True(OptionsTypes.Count >= 12, string.Join(", ", OptionsTypes.Select(o => o.Section)));
    }

    [Fact]
    public void EveryBoundSettingIsDocumentedWithItsTypeAndDefault()
    {
        var rows = Rows();
        var expected = OptionsTypes.SelectMany(o => Keys(o.Section, Activator.CreateInstance(o.Type)!)).ToList();
        Assert.True(expected.Count > 100, $"{expected.Count} settings found");
        var problems = new List<string>();
        foreach (var (key, type, value) in expected)
        {
            if (!rows.TryGetValue(key, out var row)) problems.Add($"{key} is missing");
            else if (row.Type != type) problems.Add($"{key}: type {row.Type} documented, {type} in code");
            else if (row.Default != value) problems.Add($"{key}: default '{row.Default}' documented, '{value}' in code");
        }
        // Nothing documented under an options section that the code does not bind.
        var sections = OptionsTypes.Select(o => o.Section + ":").ToList();
        foreach (var key in rows.Keys.Where(k => sections.Any(s => k.StartsWith(s, StringComparison.Ordinal))))
            if (expected.All(e => e.Key != key)) problems.Add($"{key} is documented but not bound");
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void EveryDeprecatedKeyIsDocumentedWithItsReplacement()
    {
        foreach (var (old, now) in DeprecatedSettings.Moved)
            Assert.Contains($"| `{old}` | `{now}`", Doc);
    }

    private static IEnumerable<(string Key, string Type, string Default)> Keys(string prefix, object instance)
    {
        foreach (var p in instance.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod is { IsPublic: true }))
        {
            var t = Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
            var value = p.GetValue(instance);
            if (TypeName(t) is { } name) yield return ($"{prefix}:{p.Name}", name, Format(value));
            else if (value is IDictionary dictionary)
            {
                foreach (DictionaryEntry e in dictionary)
                    foreach (var k in Keys($"{prefix}:{p.Name}:{e.Key}", e.Value!)) yield return k;
            }
            else if (value is not null) foreach (var k in Keys($"{prefix}:{p.Name}", value)) yield return k;
        }
    }

    private static string? TypeName(Type t) =>
        t == typeof(int) ? "int" : t == typeof(long) ? "long" : t == typeof(double) ? "double" : t == typeof(bool) ? "bool"
        : t == typeof(string) ? "string" : t == typeof(TimeSpan) ? "TimeSpan" : t == typeof(string[]) ? "string[]" : null;

    private static string Format(object? v) => v switch
    {
        null or string[] { Length: 0 } => "(none)",
        bool b => b ? "true" : "false",
        string[] a => string.Join(", ", a),
        TimeSpan t => t.ToString("c", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString()!,
    };

    private static Dictionary<string, (string Type, string Default)> Rows()
    {
        var rows = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        foreach (Match m in Row().Matches(Doc))
            rows[m.Groups[1].Value] = (m.Groups[2].Value.Trim(), m.Groups[3].Value.Replace("`", "").Trim());
        return rows;
    }

    [GeneratedRegex(@"^\| `([^`]+)` \| ([^|`]+) \| ([^|]*) \| [^|]*\|\s*$", RegexOptions.Multiline)]
    private static partial Regex Row();
}

/// <summary>Every cron is checked when the app starts, with a message naming its key.</summary>
public sealed class CronValidationTests
{
    [Theory]
    [InlineData("Training:RetrainCron", "Training:DailyRetrainEnabled")]
    [InlineData("Reports:RetentionCron", "Reports:RetentionJobEnabled")]
    [InlineData("Backups:Cron", "Backups:ScheduleEnabled")]
    public void ABadCronStopsTheStartWithAMessageNamingTheKey(string cron, string enabled)
    {
        using var factory = new SqliteApiFactory();
        factory.With(cron, "every night at two").With(enabled, "true");
        var ex = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        Assert.Contains(cron + " is not a valid Quartz cron expression", ex.ToString());
    }
}
