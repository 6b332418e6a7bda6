namespace Halo.App.Services;

/// <summary>A place the "near me" feed can look around when the user's position is not used.</summary>
public sealed record Place(string Name, double Latitude, double Longitude);

/// <summary>Sweden's county seats (residensstäder), alphabetical, with their centres.</summary>
public static class Places
{
    public static readonly IReadOnlyList<Place> All =
    [
        new("Falun", 60.6065, 15.6355), new("Gävle", 60.6749, 17.1413), new("Göteborg", 57.7089, 11.9746),
        new("Halmstad", 56.6745, 12.8578), new("Härnösand", 62.6323, 17.9379), new("Jönköping", 57.7826, 14.1618),
        new("Kalmar", 56.6634, 16.3568), new("Karlskrona", 56.1612, 15.5869), new("Karlstad", 59.3793, 13.5036),
        new("Linköping", 58.4108, 15.6214), new("Luleå", 65.5848, 22.1547), new("Malmö", 55.6050, 13.0038),
        new("Nyköping", 58.7530, 17.0079), new("Stockholm", 59.3293, 18.0686), new("Umeå", 63.8258, 20.2630),
        new("Uppsala", 59.8586, 17.6389), new("Visby", 57.6348, 18.2948), new("Västerås", 59.6099, 16.5448),
        new("Växjö", 56.8777, 14.8091), new("Örebro", 59.2753, 15.2134), new("Östersund", 63.1792, 14.6357),
    ];
}
