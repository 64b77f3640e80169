using System;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace PassMan.Loader;

/// <summary>
/// A private load context for the engine and its dependencies (SQLite, and later SSH.NET and
/// BouncyCastle), so that other modules' copies of the same libraries in one PowerShell session
/// neither break PassMan nor are broken by it.
/// </summary>
internal sealed class PassManLoadContext : AssemblyLoadContext
{
    private readonly string _folder;

    public PassManLoadContext(string folder)
        : base("PassMan", isCollectible: false)
    {
        _folder = folder;
    }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        var path = Path.Combine(_folder, assemblyName.Name + ".dll");

        // Anything not shipped with the module (the framework itself) comes from the default context.
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }

    /// <summary>
    /// PowerShell probes for native libraries in the module root only, not in the package layout
    /// <c>runtimes/&lt;rid&gt;/native</c> that the build ships; this resolves them there.
    /// </summary>
    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        foreach (var rid in RuntimeIdentifiers())
        {
            var path = Path.Combine(_folder, "runtimes", rid, "native", NativeFileName(unmanagedDllName));
            if (File.Exists(path))
            {
                return LoadUnmanagedDllFromPath(path);
            }
        }

        return IntPtr.Zero;
    }

    private static string NativeFileName(string name)
    {
        if (Path.HasExtension(name))
        {
            return name;
        }

        if (OperatingSystem.IsWindows())
        {
            return name + ".dll";
        }

        return "lib" + name + (OperatingSystem.IsMacOS() ? ".dylib" : ".so");
    }

    private static string[] RuntimeIdentifiers()
    {
        var architecture = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        if (OperatingSystem.IsWindows())
        {
            return [$"win-{architecture}"];
        }

        if (OperatingSystem.IsMacOS())
        {
            return [$"osx-{architecture}"];
        }

        return IsMusl() ? [$"linux-musl-{architecture}", $"linux-{architecture}"] : [$"linux-{architecture}"];
    }

    private static bool IsMusl() =>
        Directory.Exists("/lib") && Directory.GetFiles("/lib", "ld-musl-*").Length > 0;
}
