namespace Halo.H3;

/// <summary>Placeholder until the H3 implementation lands.</summary>
public static class H3Placeholder { }
