using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Crossfade.Core.Audit;

/// <summary>
/// The hash chain of the audit trail: each record's hash covers every field of it and the hash of the one
/// before, so removing, altering or reordering a record changes every hash after it.
/// </summary>
public static class AuditChain
{
    /// <summary>The hash the first record chains to.</summary>
    public const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";

    /// <summary>The record with its hash computed over its fields and <paramref name="prevHash"/>.</summary>
    public static AuditEntry Seal(AuditEntry entry, string prevHash)
    {
        var chained = entry with { PrevHash = prevHash, Hash = "" };
        return chained with { Hash = HashOf(chained) };
    }

    /// <summary>SHA-256 (hex) of the record's canonical form: its fields in a fixed order as a JSON array, parameters sorted.</summary>
    public static string HashOf(AuditEntry e)
    {
        var parameters = e.Parameters.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new[] { p.Key, p.Value }).ToArray();
        var canonical = JsonSerializer.Serialize(new object?[]
        {
            e.Seq, e.At.ToUnixTimeMilliseconds(), e.TokenId, e.Actor, e.Role, e.Address, e.UserAgent, e.Action, e.Path,
            e.App, e.Environment, parameters, e.Status, e.Reason, e.PrevHash,
        });
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    /// <summary>
    /// Walks records in order: each must follow the one before by sequence number, chain to its hash and
    /// hash to what it says. The first break is returned with what is wrong; none when the chain holds.
    /// </summary>
    public static AuditBreak? Verify(IEnumerable<AuditEntry> records, AuditEntry? before = null)
    {
        var previous = before;
        foreach (var record in records)
        {
            var expectedSeq = previous is null ? record.Seq : previous.Seq + 1;
            var expectedPrev = previous?.Hash ?? (record.Seq == 1 ? Genesis : record.PrevHash);
            if (previous is null && record.Seq != 1 && before is null)
                return new AuditBreak(record.Seq, $"the trail starts at record {Text(record.Seq)}: records 1 to {Text(record.Seq - 1)} are missing");
            if (record.Seq != expectedSeq)
                return new AuditBreak(record.Seq, $"record {Text(record.Seq)} follows record {Text(previous!.Seq)}: {GapText(previous.Seq, record.Seq)}");
            if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(record.PrevHash), Encoding.ASCII.GetBytes(expectedPrev)))
                return new AuditBreak(record.Seq, $"record {Text(record.Seq)} does not chain to the record before it: that record was altered or replaced");
            if (HashOf(record) != record.Hash)
                return new AuditBreak(record.Seq, $"record {Text(record.Seq)} does not match its hash: it was altered after it was written");
            previous = record;
        }
        return null;
    }

    private static string GapText(long from, long to) =>
        to > from + 1
            ? to == from + 2 ? $"record {Text(from + 1)} is missing" : $"records {Text(from + 1)} to {Text(to - 1)} are missing"
            : "the records are out of order";

    private static string Text(long n) => n.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Where an audit chain breaks and why.</summary>
public sealed record AuditBreak(long Seq, string Reason);
