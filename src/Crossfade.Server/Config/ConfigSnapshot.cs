namespace Crossfade.Server.Config;

/// <summary>
/// The configuration a deploy applies, stored with it so that a rollback can apply it again: the
/// resources file inside the release, every host's variables, and the secrets as ciphertext (never
/// in the clear, in the store or anywhere else).
/// </summary>
public sealed record ConfigSnapshot(
    string File,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> VariablesByHost,
    IReadOnlyList<string> DeclaredSecrets,
    IReadOnlyDictionary<string, string> SecretCiphertexts);
