class Job:
    def run(self):
        pass


jobs = {"b": Job(), "a": Job()}
for j in sorted(jobs.values(), key=id):
    j.run()
