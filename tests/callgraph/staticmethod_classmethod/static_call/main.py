class MathUtil:
    @staticmethod
    def square(x):
        return x * x


MathUtil.square(3)
MathUtil().square(4)
