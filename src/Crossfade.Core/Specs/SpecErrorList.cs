namespace Crossfade.Core.Specs;

/// <summary>Collects the errors found while reading one spec file.</summary>
internal sealed class SpecErrorList(string file)
{
    private readonly List<SpecError> _items = [];

    public IReadOnlyList<SpecError> Items => _items;

    public void Add(int line, int column, string field, string message) =>
        _items.Add(new SpecError(file, line, column, field, message));
}
