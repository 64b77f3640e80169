using System.Collections.Generic;
using System.Management.Automation;
using PassMan.Commands.Hosting;
using PassMan.Model;

namespace PassMan.Commands;

/// <summary>
/// <para type="synopsis">Adds a target: a host whose accounts PassMan manages over SSH.</para>
/// </summary>
[Cmdlet(VerbsCommon.New, "PMTarget", SupportsShouldProcess = true)]
[OutputType(typeof(Target))]
public sealed class NewPMTargetCommand : PassManCmdlet
{
    private readonly BatchBuffer<TargetSpec> _batch;

    /// <summary>Creates the command.</summary>
    public NewPMTargetCommand() => _batch = new(WriteBatch);

    /// <summary>The target's name, unique without regard to case.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    public string Name { get; set; } = string.Empty;

    /// <summary>The host name or address to connect to.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    public string HostName { get; set; } = string.Empty;

    /// <summary>The SSH port; 0, which an empty CSV cell gives, means the default 22.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public int Port { get; set; } = DefaultPort;

    private const int DefaultPort = 22;

    /// <summary>The platform: Linux.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(PlatformCompleter))]
    public string Platform { get; set; } = Platforms.Linux;

    /// <summary>Host key fingerprints to pin, as ssh-keygen -l prints them.</summary>
    [Parameter]
    public string[]? HostKeyFingerprint { get; set; }

    /// <summary>Free text about the target.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Description { get; set; }

    /// <summary>How many SSH connections a bulk run opens to the target at once; 3 by default, 0 too.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public int MaxConnections { get; set; } = Targets.DefaultMaxConnections;

    /// <inheritdoc/>
    protected override void ProcessRecord() => Run(() =>
    {
        var port = Port == 0 ? DefaultPort : Port;
        var connections = MaxConnections == 0 ? Targets.DefaultMaxConnections : MaxConnections;
        if (ShouldChange(Name, $"Create target ({HostName}:{port})"))
        {
            _batch.Add(new TargetSpec(
                Name, HostName, port, Platform, HostKeyFingerprint, NullIfEmpty(Description), connections));
        }
    });

    /// <inheritdoc/>
    protected override void EndProcessing() => _batch.Flush();

    private void WriteBatch(IReadOnlyList<TargetSpec> specs) =>
        Run(() => WriteResults(ResolveVault().NewTargets(specs), specs, spec => spec.Name));
}

/// <summary>
/// <para type="synopsis">Lists targets, by name or wildcard pattern.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "PMTarget")]
[OutputType(typeof(Target))]
public sealed class GetPMTargetCommand : PassManCmdlet
{
    /// <summary>Names or wildcard patterns; all targets by default.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("Target")]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(TargetNameCompleter))]
    public string[]? Name { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord() => Run(() =>
    {
        var vault = ResolveVault();
        foreach (var name in Name ?? ["*"])
        {
            var found = false;
            foreach (var target in vault.GetTargets(name))
            {
                found = true;
                WriteObject(target);
            }

            if (!found && !WildcardPattern.ContainsWildcardCharacters(name))
            {
                WriteError(new PassManException(
                    ErrorIds.TargetNotFound,
                    PassManErrorKind.NotFound,
                    $"The vault has no target named '{name}'.",
                    name));
            }
        }
    });
}

/// <summary>
/// <para type="synopsis">Changes a target's name, address, port, platform, pinned host keys or description.</para>
/// </summary>
[Cmdlet(VerbsCommon.Set, "PMTarget", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(Target))]
public sealed class SetPMTargetCommand : PassManCmdlet
{
    /// <summary>The target to change.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(TargetNameCompleter))]
    public string Name { get; set; } = string.Empty;

    /// <summary>A new name for the target.</summary>
    [Parameter]
    public string? NewName { get; set; }

    /// <summary>A new host name or address.</summary>
    [Parameter]
    public string? HostName { get; set; }

    /// <summary>A new SSH port.</summary>
    [Parameter]
    public int? Port { get; set; }

    /// <summary>A new platform.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(PlatformCompleter))]
    public string? Platform { get; set; }

    /// <summary>The host key fingerprints to pin instead of the current ones.</summary>
    [Parameter]
    public string[]? HostKeyFingerprint { get; set; }

    /// <summary>A new description; an empty string removes it.</summary>
    [Parameter]
    public string? Description { get; set; }

    /// <summary>How many SSH connections a bulk run opens to the target at once.</summary>
    [Parameter]
    public int? MaxConnections { get; set; }

    /// <summary>Writes the changed target to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord() => Run(() =>
    {
        if (!ShouldChange(Name, "Change target"))
        {
            return;
        }

        var target = ResolveVault().SetTarget(
            Name,
            new TargetChange(NewName, HostName, Port, Platform, HostKeyFingerprint, Description, MaxConnections));
        if (PassThru)
        {
            WriteObject(target);
        }
    });
}

/// <summary>
/// <para type="synopsis">Removes a target; with -Force, also its accounts and their credentials.</para>
/// </summary>
[Cmdlet(VerbsCommon.Remove, "PMTarget", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(void))]
public sealed class RemovePMTargetCommand : PassManCmdlet
{
    /// <summary>The target to remove.</summary>
    /// <remarks>
    /// Deliberately no Target alias: an account piped here must not stand for its whole target.
    /// </remarks>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(TargetNameCompleter))]
    public string Name { get; set; } = string.Empty;

    /// <summary>Removes a target that still has accounts, together with them.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord() => Run(() =>
    {
        var vault = ResolveVault();
        var target = vault.GetTarget(Name);
        if (target.AccountCount > 0 && !Force)
        {
            // Refused before asking: confirming a removal that cannot happen would mislead.
            vault.RemoveTarget(target.Name, force: false);
        }

        var action = target.AccountCount > 0
            ? $"Remove target with its {target.AccountCount} account(s) and their credentials"
            : "Remove target";
        if (ShouldChange(target.Name, action))
        {
            vault.RemoveTarget(target.Name, Force);
            WriteVerbose($"{target.Name}: removed.");
        }
    });
}
