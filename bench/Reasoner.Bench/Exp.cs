namespace Reasoner.Bench;
using System.Runtime.InteropServices;
using Reasoner.Tensors; using Reasoner.Tensors.Kernels;
internal static unsafe class Exp {
  [DllImport("libc")] static extern int clock_gettime(int id, long* ts);
  static double Cpu() { long* ts = stackalloc long[2]; clock_gettime(3, ts); return ts[0] + ts[1] * 1e-9; }
  static double CpuMedian(Action a) { a(); a(); var t = new double[5]; for (int i=0;i<5;i++){ double s=Cpu(); int n=0; while (Cpu()-s < 0.02) { a(); n++; } t[i]=(Cpu()-s)/n; } Array.Sort(t); return t[2]; }
  static float Peak(int n) { var a0=System.Runtime.Intrinsics.Vector512.Create(1f); var a1=a0; var a2=a0; var a3=a0; var a4=a0; var a5=a0; var a6=a0; var a7=a0; var a8=a0; var a9=a0; var a10=a0; var a11=a0; var m=System.Runtime.Intrinsics.Vector512.Create(0.999999f); var d=System.Runtime.Intrinsics.Vector512.Create(1e-7f);
    for (int i=0;i<n;i++){ a0=System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(a0,m,d); a1=System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(a1,m,d); a2=System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(a2,m,d); a3=System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(a3,m,d); a4=System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(a4,m,d); a5=System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(a5,m,d); a6=System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(a6,m,d); a7=System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(a7,m,d); a8=System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(a8,m,d); a9=System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(a9,m,d); a10=System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(a10,m,d); a11=System.Runtime.Intrinsics.Vector512.FusedMultiplyAdd(a11,m,d);}
    return System.Runtime.Intrinsics.Vector512.Sum(a0+a1+a2+a3+a4+a5+a6+a7+a8+a9+a10+a11); }
  public static void Run() {
    using var pool = new WorkerPool(1);
    foreach (var (r,c,oc) in new[]{(1024,1024,1024),(2048,256,768),(2048,128,384),(2048,512,128),(1024,768,3072)}) {
      var x = new float[r*c]; var w = new float[oc*c]; var b = new float[oc]; var y = new float[r*oc]; var dx = new float[r*c]; var dw = new float[oc*c];
      for (int i=0;i<x.Length;i++) x[i]=i%7-3; for (int i=0;i<w.Length;i++) w[i]=i%5-2; for (int i=0;i<y.Length;i++) y[i]=i%3-1;
      double f = CpuMedian(() => Matmul.Forward(pool, y, x, w, b, r, c, oc));
      double dwt = CpuMedian(() => Matmul.Backward(pool, default, dw, default, y, x, w, r, c, oc));
      double all = CpuMedian(() => Matmul.Backward(pool, dx, dw, default, y, x, w, r, c, oc));
      double fl = 2.0*r*c*oc;
      Console.WriteLine($"{r}x{c}->{oc}: fwd {fl/f/1e9:F1} dW {fl/dwt/1e9:F1} dIn {fl/(all-dwt)/1e9:F1}");
    }
  }
}
