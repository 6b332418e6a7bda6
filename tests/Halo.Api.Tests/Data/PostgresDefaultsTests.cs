using Halo.Api.Data;
using Npgsql;

namespace Halo.Api.Tests.Data;

public sealed class PostgresDefaultsTests
{
    [Fact]
    public void ConnectionsSkipTheResetAndPrepareHotStatementsUnlessTheOperatorSaysOtherwise()
    {
        var plain = new NpgsqlConnectionStringBuilder(DataRegistration.WithPostgresDefaults("Host=db;Database=halo;Username=halo;Maximum Pool Size=6"));
        Assert.True(plain.NoResetOnClose);
        Assert.Equal(64, plain.MaxAutoPrepare);
        Assert.Equal(6, plain.MaxPoolSize);
        Assert.Equal("db", plain.Host);
        Assert.Equal("-c plan_cache_mode=force_custom_plan", plain.Options);

        var own = new NpgsqlConnectionStringBuilder(DataRegistration.WithPostgresDefaults("Host=db;No Reset On Close=false;MaxAutoPrepare=0"));
        Assert.False(own.NoResetOnClose);
        Assert.Equal(0, own.MaxAutoPrepare);

        var options = new NpgsqlConnectionStringBuilder(DataRegistration.WithPostgresDefaults("Host=db;Options=-c statement_timeout=5000"));
        Assert.Equal("-c statement_timeout=5000 -c plan_cache_mode=force_custom_plan", options.Options);
        var chosen = new NpgsqlConnectionStringBuilder(DataRegistration.WithPostgresDefaults("Host=db;Options=-c plan_cache_mode=auto"));
        Assert.Equal("-c plan_cache_mode=auto", chosen.Options);
    }

    [Fact]
    public void TheCommandTimeoutIsTheConfiguredOneUnlessTheConnectionStringSetsItsOwn()
    {
        var configured = new NpgsqlConnectionStringBuilder(DataRegistration.WithPostgresDefaults("Host=db", busyTimeoutSeconds: 5, commandTimeoutSeconds: 7));
        Assert.Equal(7, configured.CommandTimeout);
        Assert.Equal(5, configured.Timeout);
        var own = new NpgsqlConnectionStringBuilder(DataRegistration.WithPostgresDefaults("Host=db;Command Timeout=90", 5, 7));
        Assert.Equal(90, own.CommandTimeout);
    }
}
