namespace Crossfade.Server.Storage;

/// <summary>A log search whose text the store's full-text engine cannot read (an unclosed quote, a bare operator).</summary>
public sealed class SearchSyntaxException(string message, Exception? inner = null) : Exception(message, inner);
