using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;
using System.Threading;

namespace PassMan.Loader;

/// <summary>
/// Sends the engine assembly, which the cmdlets reference, to PassMan's private load context.
/// </summary>
/// <remarks>
/// The manifest imports this assembly as a nested module, which PowerShell loads before the root
/// module: the resolver must be in place before PowerShell reflects over the cmdlet classes, whose
/// parameters use engine types. It stays registered for the life of the process, as the loaded
/// assemblies do; a second import finds it there.
/// </remarks>
public sealed class EngineResolver : IModuleAssemblyInitializer
{
    private const string EngineAssemblyName = "PassMan.Engine";

    private static readonly string s_libraryFolder =
        Path.Combine(Path.GetDirectoryName(typeof(EngineResolver).Assembly.Location)!, "lib");

    private static PassManLoadContext? s_context;

    /// <inheritdoc/>
    public void OnImport()
    {
        var context = new PassManLoadContext(s_libraryFolder);
        if (Interlocked.CompareExchange(ref s_context, context, null) is null)
        {
            AssemblyLoadContext.Default.Resolving += ResolveEngine;
        }
    }

    private static Assembly? ResolveEngine(AssemblyLoadContext context, AssemblyName name) =>
        name.Name == EngineAssemblyName ? s_context!.LoadFromAssemblyName(name) : null;
}
