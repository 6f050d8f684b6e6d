public enum SwasmIRPlaceholder {}
