using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using PassMan.Commands.Hosting;
using PassMan.Model;
using PassMan.Ssh;

namespace PassMan.Commands;

/// <summary>
/// <para type="synopsis">
/// Connects to a target, lists the host keys it offers against the pinned ones, and pins them on request.
/// </para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "PMTarget", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(TargetProbe))]
public sealed class TestPMTargetCommand : PassManCmdlet
{
    private const string ActivityName = "Test-PMTarget";

    /// <summary>The target to test.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Target")]
    [ArgumentCompleter(typeof(TargetNameCompleter))]
    public string Name { get; set; } = string.Empty;

    /// <summary>Pins the host keys the target offers.</summary>
    [Parameter]
    public SwitchParameter TrustHostKey { get; set; }

    /// <summary>With -TrustHostKey: replaces pinned keys that the target no longer offers.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <inheritdoc/>
    protected override void BeginProcessing() => Validate(() =>
    {
        if (Force && !TrustHostKey)
        {
            throw ProtectionParameters.Conflict("-Force goes with -TrustHostKey: it re-pins a changed host key.");
        }
    });

    /// <inheritdoc/>
    protected override void ProcessRecord() => Run(() =>
    {
        var vault = ResolveVault();
        WriteProgress(new ProgressRecord(1, ActivityName, $"{Name}: collecting host keys") { PercentComplete = -1 });
        var probe = vault.ProbeTarget(Name, record: !IsWhatIf);
        WriteVerbose($"{probe.Target} ({probe.HostName}:{probe.Port}) offers {probe.HostKeys.Count} host key(s); "
            + $"trust: {probe.Trust}.");
        if (TrustHostKey && probe.Trust == "Mismatch" && !Force)
        {
            // Refused before asking: a changed key is never trusted by a confirmation alone.
            vault.TrustHostKeys(probe, force: false);
        }

        if (TrustHostKey && (probe.Trust != "Trusted" || Force))
        {
            var keys = string.Join(", ", probe.HostKeys);
            var action = probe.Trust == "Mismatch"
                ? $"Replace the pinned host keys with {keys}"
                : $"Pin the host keys {keys}";
            if (ShouldChange($"{probe.Target} ({probe.HostName}:{probe.Port})", action))
            {
                probe = vault.TrustHostKeys(probe, Force);
            }
        }
        else if (TrustHostKey)
        {
            WriteVerbose($"{probe.Target}: the keys it offers match the pinned ones; nothing to pin.");
        }

        WriteObject(probe);
    });

    /// <inheritdoc/>
    protected override void EndProcessing() =>
        WriteProgress(new ProgressRecord(1, ActivityName, "Done") { RecordType = ProgressRecordType.Completed });
}

/// <summary>
/// <para type="synopsis">Pins targets' host keys from an OpenSSH known_hosts file, hashed host names included.</para>
/// </summary>
[Cmdlet(VerbsData.Import, "PMKnownHost", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(TargetProbe))]
public sealed class ImportPMKnownHostCommand : PassManCmdlet
{
    private KnownHosts? _file;
    private string _path = string.Empty;

    /// <summary>The known_hosts file.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public string Path { get; set; } = string.Empty;

    /// <summary>The targets to pin; every target of the vault that the file names, by default.</summary>
    [Parameter(Position = 1, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(TargetNameCompleter))]
    public string[]? Target { get; set; }

    /// <summary>Replaces pinned keys that differ from the file's.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <inheritdoc/>
    protected override void BeginProcessing() => Validate(() =>
    {
        _path = ResolveFilePath(Path, "-Path");
        var text = FileAccessErrors.Guard(_path, "read the known_hosts file", () => File.ReadAllText(_path));
        _file = KnownHosts.Parse(text);
        foreach (var problem in _file.Problems)
        {
            WriteWarning($"{_path}: {problem} The line is skipped.");
        }
    });

    /// <inheritdoc/>
    protected override void ProcessRecord() => Run(() =>
    {
        if (_file is null)
        {
            return;
        }

        var vault = ResolveVault();
        foreach (var name in Target ?? ["*"])
        {
            var named = !WildcardPattern.ContainsWildcardCharacters(name);
            var targets = named ? [vault.GetTarget(name)] : vault.GetTargets(name).ToList();
            foreach (var target in targets)
            {
                TryRun(() => Import(vault, target, named));
            }
        }
    });

    private void Import(Vault vault, Target target, bool named)
    {
        var found = _file!.Find(target.HostName, target.Port);
        foreach (var revoked in found.Keys.Where(found.IsRevoked))
        {
            WriteWarning($"{target.Name}: the file marks {revoked.KeyType} {revoked.Fingerprint} as revoked "
                + $"(line {revoked.LineNumber}); it is not pinned.");
        }

        foreach (var revoked in found.Revoked.Where(entry => target.HostKeyFingerprints.Contains(entry.Fingerprint)))
        {
            WriteWarning($"{target.Name}: the vault pins {revoked.KeyType} {revoked.Fingerprint}, which the file marks "
                + $"as revoked (line {revoked.LineNumber}). Replace the pins: Set-PMTarget -HostKeyFingerprint, or "
                + "Test-PMTarget -TrustHostKey -Force once the host has a new key.");
        }

        var keys = found.Keys.Where(entry => !found.IsRevoked(entry)).Select(entry => new HostKey(entry.PublicBlob))
            .Distinct()
            .ToList();
        if (keys.Count == 0)
        {
            if (named)
            {
                throw new PassManException(
                    ErrorIds.KnownHostNotFound,
                    PassManErrorKind.NotFound,
                    $"{_path} holds no usable host key for the target '{target.Name}' "
                        + $"({KnownHostName(target)}).",
                    target.Name);
            }

            WriteVerbose($"{target.Name}: the file names no key for {KnownHostName(target)}.");
            return;
        }

        var action = $"Pin the host keys {string.Join(", ", keys.Select(k => k.Label))} "
            + $"from {_path}";
        if (ShouldChange($"{target.Name} ({target.HostName}:{target.Port})", action))
        {
            WriteObject(vault.TrustHostKeys(target.Name, keys, Force, $"known_hosts file {_path}"));
        }
    }

    private static string KnownHostName(Target target) =>
        target.Port == 22 ? target.HostName : $"[{target.HostName}]:{target.Port}";
}
