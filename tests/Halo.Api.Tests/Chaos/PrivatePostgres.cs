using System.Diagnostics;
using Npgsql;

namespace Halo.Api.Tests.Chaos;

/// <summary>
/// A PostgreSQL 15 + PostGIS server of one test's own, in a temp folder on a free port of 127.0.0.1, started as
/// scripts/services.sh starts the shared one (as the postgres user when we are root). A test may stop it the hard way
/// (<c>pg_ctl stop -m immediate</c>, what a crash or a killed container looks like to the app) and start it again,
/// without touching the shared server the rest of the suite uses.
/// </summary>
public sealed class PrivatePostgres : IDisposable
{
    private const string Bin = "/usr/lib/postgresql/15/bin";
    private readonly string _root;
    private readonly string _data;

    public PrivatePostgres()
    {
        if (!File.Exists(Path.Combine(Bin, "initdb")))
            throw new InvalidOperationException($"{Bin}/initdb not found: install postgresql-15 (scripts/services.sh does).");
        _root = Directory.CreateTempSubdirectory("halo-chaos-pg.").FullName;
        _data = Path.Combine(_root, "pg");
        Directory.CreateDirectory(_data);
        // The postgres user must reach and own its folder.
        Run("chmod", ["755", _root]);
        if (IsRoot) Run("chown", ["postgres:postgres", _data]);
        Port = ApiProcess.FreePort();
        RunAsPostgres($"{Bin}/initdb -D '{_data}' -U halo --auth=trust -E UTF8 -N >/dev/null");
        Start();
        using var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Database = "postgres", Pooling = false }.ConnectionString);
        conn.Open();
        using (var create = new NpgsqlCommand("CREATE DATABASE halo", conn)) create.ExecuteNonQuery();
        conn.ChangeDatabase("halo");
        using (var postgis = new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS postgis", conn)) postgis.ExecuteNonQuery();
    }

    public int Port { get; }

    /// <summary>The database <c>halo</c> on this server.</summary>
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=halo;Database=halo";

    private static bool IsRoot => Environment.UserName == "root";

    /// <summary>
    /// Starts the server and waits until it accepts connections. Commits wait for their WAL to be written (the default
    /// synchronous_commit), so a killed server loses no acknowledged commit; fsync is off, which only matters if the
    /// machine itself loses power.
    /// </summary>
    public void Start() => RunAsPostgres($"{Bin}/pg_ctl -D '{_data}' -l '{_data}/log' -w -t 60 -o '-p {Port} -k {_data} -c listen_addresses=127.0.0.1 " +
        "-c max_connections=100 -c fsync=off -c full_page_writes=off' start >/dev/null");

    /// <summary>Stops the server the hard way: every backend is killed, open connections are cut, nothing is flushed.</summary>
    public void StopImmediately() => RunAsPostgres($"{Bin}/pg_ctl -D '{_data}' -m immediate -w stop >/dev/null");

    public string ServerLog => File.Exists(Path.Combine(_data, "log")) ? File.ReadAllText(Path.Combine(_data, "log")) : "";

    private static void RunAsPostgres(string command)
    {
        if (IsRoot) Run("su", ["postgres", "-s", "/bin/bash", "-c", command]);
        else Run("/bin/bash", ["-c", command]);
    }

    private static void Run(string file, string[] args)
    {
        var start = new ProcessStartInfo(file, args) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        using var p = Process.Start(start)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(90))) { p.Kill(); throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish."); }
        if (p.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited {p.ExitCode}: {stdout.Result}{stderr.Result}");
    }

    public void Dispose()
    {
        NpgsqlConnection.ClearAllPools();
        try { StopImmediately(); } catch (InvalidOperationException) { } // already stopped
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
