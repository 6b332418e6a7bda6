using System.ComponentModel.DataAnnotations;

namespace Halo.Api.Features.Live;

/// <summary>The live hub (config section <c>Live</c>).</summary>
public sealed class LiveOptions
{
    public const string Section = "Live";

    /// <summary>The fewest groups that cover any single place (the cells touching it, at any resolution).</summary>
    public const int MinGroupsPerConnection = 8;

    /// <summary>
    /// Most area groups (H3 cells) one connection may hold. A subscription takes the finest resolution from 7 to 5
    /// whose cells covering the box fit; of a box too large even at resolution 5, the middle that fits is watched.
    /// </summary>
    [Range(MinGroupsPerConnection, 10_000)]
    public int MaxGroupsPerConnection { get; set; } = 64;

    /// <summary>
    /// Hub calls (Subscribe, Unsubscribe, Identify) one connection may make per minute; past this a call is refused until
    /// the next minute. A map sends one Subscribe per pan or zoom.
    /// </summary>
    [Range(1, 100_000)]
    public int MaxCallsPerMinute { get; set; } = 120;

    /// <summary>
    /// Hub connections one client network (IPv4 /24, IPv6 /48) may hold open on one instance; past this a new one is
    /// closed as it opens. Households, offices and carriers' shared addresses put many people behind one network.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxConnectionsPerNetwork { get; set; } = 1000;

    /// <summary>Changes waiting to be published; past this a burst (a bulk import) drops the oldest and counts them.</summary>
    [Range(100, 1_000_000)]
    public int QueueCapacity { get; set; } = 10_000;
}
