using System.Management.Automation;

namespace PassMan.Commands.Hosting;

/// <summary>
/// Closes every open vault and clears every cached key when the module is removed.
/// </summary>
public sealed class ModuleLifetime : IModuleAssemblyCleanup
{
    /// <inheritdoc/>
    public void OnRemove(PSModuleInfo psModuleInfo) => VaultSessions.CloseAll();
}
