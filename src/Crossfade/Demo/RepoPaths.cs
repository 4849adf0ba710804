namespace Crossfade.Demo;

/// <summary>Finds the checkout this program was built from, for the example app and its build output.</summary>
public static class RepoPaths
{
    public static string? Root()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "examples", "gear-shop", "GearShop.csproj")))
                    return dir.FullName;
        }
        return null;
    }
}
