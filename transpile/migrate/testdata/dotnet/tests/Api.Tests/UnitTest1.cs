public class UnitTest1 { [Xunit.Fact] public void Works() {} }
